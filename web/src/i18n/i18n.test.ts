import { describe, expect, it } from "vitest";
import { en } from "./en";
import { detectLang, format, formatDate, parseLang, type Plural, translate } from "./translate";
import { zh } from "./zh";

/** The names of the `{placeholders}` in a message (in every plural form of it). */
function placeholders(message: string | Plural): string[] {
  const forms = typeof message === "string" ? [message] : Object.values(message);
  return forms.flatMap((form) => [...form.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)).sort();
}

describe("message catalogues", () => {
  it("zh has exactly the keys of en, and no key is empty", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, message] of [...Object.entries(en), ...Object.entries(zh)]) {
      const forms: string[] = typeof message === "string" ? [message] : Object.values(message);
      for (const form of forms) expect(form.trim(), key).not.toBe("");
    }
  });

  it("every translation uses the same placeholders as the English", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(new Set(placeholders(zh[key])), key).toEqual(new Set(placeholders(en[key])));
    }
  });

  it("has keys for every refusal code and reason code, with a hint for each reason", () => {
    const keys = new Set(Object.keys(en));
    for (const code of ["not_a_lesion", "photo_unusable"]) expect(keys.has(`refusal.${code}`), code).toBe(true);
    for (const reason of ["out_of_focus", "too_dark", "overexposed", "low_contrast", "too_small", "not_a_lesion"]) {
      expect(keys.has(`reason.${reason}`), reason).toBe(true);
      expect(keys.has(`hint.${reason}`), reason).toBe(true);
    }
  });
});

describe("format", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("en", "Hi {name}, {name}!", { name: "Ana" })).toBe("Hi Ana, Ana!");
    expect(format("en", "Hi {who}", {})).toBe("Hi {who}");
  });

  it("chooses plural forms by Intl.PluralRules", () => {
    expect(translate("en", "history.count", { count: 1 })).toBe("1 saved check");
    expect(translate("en", "history.count", { count: 3 })).toBe("3 saved checks");
    expect(translate("en", "history.count", { count: 0 })).toBe("0 saved checks");
    expect(translate("zh", "history.count", { count: 1 })).toBe("已保存 1 次检查");
    expect(translate("zh", "history.count", { count: 3 })).toBe("已保存 3 次检查");
    expect(translate("en", "history.count", { count: 1200 })).toBe("1,200 saved checks");
  });

  it("every plural message has an `other` form, and only the language's categories", () => {
    for (const [lang, catalogue] of [
      ["en", en],
      ["zh", zh],
    ] as const) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, message] of Object.entries(catalogue)) {
        if (typeof message === "string") continue;
        expect(message.other, key).toBeTruthy();
        for (const form of Object.keys(message)) expect(categories, `${lang} ${key}`).toContain(form);
      }
    }
  });
});

describe("language choice", () => {
  it("takes ?lang= first, then the browser's languages, then English", () => {
    expect(detectLang("?lang=zh", ["en-US"])).toBe("zh");
    expect(detectLang("?lang=en", ["zh-CN"])).toBe("en");
    expect(detectLang("?lang=fr", ["fr-FR", "zh-Hans-CN", "en"])).toBe("zh");
    expect(detectLang("", ["de-DE"])).toBe("en");
    expect(parseLang("zh_TW")).toBe("zh");
  });

  it("writes dates the way each language does", () => {
    const day = new Date(2025, 2, 7, 14, 5);
    expect(formatDate("en", day, true)).toMatch(/Mar 7, 2025|7 Mar 2025/);
    expect(formatDate("zh", day, true)).toBe("2025年3月7日");
  });
});
