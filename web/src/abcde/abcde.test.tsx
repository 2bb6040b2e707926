import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { en, I18nProvider, zh } from "../i18n";
import { AbcdeGuide } from "./AbcdeGuide";

describe("ABCDE guide", () => {
  it.each([
    ["en", en],
    ["zh", zh],
  ] as const)("opens from its button with the five illustrated signs (%s)", async (lang, messages) => {
    render(
      <I18nProvider lang={lang}>
        <AbcdeGuide />
      </I18nProvider>,
    );
    const guide = screen.getByTestId("abcde");
    expect(guide).not.toHaveAttribute("open");
    await userEvent.click(screen.getByRole("button", { name: messages["abcde.open"] }));
    expect(guide).toHaveAttribute("open");
    const signs = guide.querySelectorAll("[data-sign]");
    expect([...signs].map((s) => s.getAttribute("data-sign"))).toEqual(["a", "b", "c", "d", "e"]);
    for (const sign of signs) expect(sign.querySelector("svg")).not.toBeNull();
    expect(guide).toHaveTextContent(messages["abcde.e"]);
    await userEvent.click(screen.getByTestId("abcde-close"));
    expect(guide).not.toHaveAttribute("open");
  });
});
