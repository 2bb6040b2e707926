import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { en, I18nProvider, zh } from "../i18n";
import { Refusal } from "./Refusal";

describe("Refusal", () => {
  it("shows what is wrong and what to do for each reason, no probability, and a way to try again", async () => {
    const onRetry = vi.fn();
    render(<Refusal code="photo_unusable" reasons={["out_of_focus", "too_dark"]} onRetry={onRetry} />);
    const refusal = screen.getByTestId("refusal");
    expect(refusal).toHaveTextContent(/cannot be judged/i);
    expect(refusal).toHaveTextContent(/out of focus/i);
    expect(refusal).toHaveTextContent(/too dark/i);
    expect(refusal).toHaveTextContent(/tap the spot on the screen to focus/i);
    expect(refusal).toHaveTextContent(/more light/i);
    expect(refusal).not.toHaveTextContent(/%/);
    await userEvent.click(screen.getByRole("button", { name: /try another photo/i }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("words everything from the codes, in the page's language, and again when the language changes", () => {
    const refusal = <Refusal code="photo_unusable" reasons={["out_of_focus"]} onRetry={() => undefined} />;
    const { rerender } = render(<I18nProvider lang="zh">{refusal}</I18nProvider>);
    expect(screen.getByTestId("refusal")).toHaveTextContent(zh["hint.out_of_focus"]);
    expect(screen.getByTestId("refusal")).not.toHaveTextContent(/[A-Za-z]{4}/);
    rerender(<I18nProvider lang="en">{refusal}</I18nProvider>);
    expect(screen.getByTestId("refusal")).toHaveTextContent(en["hint.out_of_focus"]);
  });

  it("takes focus when it appears, so keyboard and screen-reader users land on it", () => {
    render(
      <>
        <button type="button">Elsewhere</button>
        <Refusal code="not_a_lesion" reasons={["not_a_lesion"]} onRetry={() => undefined} />
      </>,
    );
    const refusal = screen.getByTestId("refusal");
    expect(refusal).toHaveAttribute("tabindex", "-1");
    expect(refusal).toHaveFocus();
    expect(refusal).toHaveAccessibleName("This photo cannot be judged");
  });

  it("takes focus again when a new refusal replaces the last one", () => {
    const { rerender } = render(<Refusal code="not_a_lesion" reasons={["not_a_lesion"]} onRetry={() => undefined} />);
    screen.getByRole("button", { name: /try another photo/i }).focus();
    rerender(<Refusal code="photo_unusable" reasons={["too_dark"]} onRetry={() => undefined} />);
    expect(screen.getByTestId("refusal")).toHaveFocus();
  });
});
