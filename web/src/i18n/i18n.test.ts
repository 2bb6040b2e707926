import { describe, expect, it } from "vitest";
import { en } from "./en";
import { detectLang, format, formatDate, parseLang, translate } from "./translate";
import { zh } from "./zh";

/** The names of `{placeholders}` and plural arguments in a message. */
function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\s*(\w+)\s*(?:,|\})/g)]
    .map((m) => m[1]!)
    .filter((n) => !/^(one|other|few|many|two|zero)$/.test(n))
    .sort();
}

describe("message catalogues", () => {
  it("zh has exactly the keys of en, and no key is empty", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(en), ...Object.entries(zh)]) {
      expect(text.trim(), key).not.toBe("");
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

  it("chooses ICU plural forms by Intl.PluralRules", () => {
    expect(translate("en", "history.count", { count: 1 })).toBe("1 saved check");
    expect(translate("en", "history.count", { count: 3 })).toBe("3 saved checks");
    expect(translate("zh", "history.count", { count: 3 })).toBe("已保存 3 次检查");
    expect(format("en", "{n, plural, =0 {none} one {# item} other {# items}} left", { n: 0 })).toBe("none left");
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
