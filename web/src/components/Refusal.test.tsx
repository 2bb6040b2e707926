import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Refusal } from "./Refusal";

describe("Refusal", () => {
  it("shows what is wrong and the server's hint, no probability, and a way to try again", async () => {
    const onRetry = vi.fn();
    render(
      <Refusal code="photo_unusable" reasons={["out_of_focus", "too_dark"]} hint="Hold still." onRetry={onRetry} />,
    );
    const refusal = screen.getByTestId("refusal");
    expect(refusal).toHaveTextContent(/cannot be judged/i);
    expect(refusal).toHaveTextContent(/out of focus/i);
    expect(refusal).toHaveTextContent(/too dark/i);
    expect(refusal).toHaveTextContent("Hold still.");
    expect(refusal).not.toHaveTextContent(/%/);
    await userEvent.click(screen.getByRole("button", { name: /try another photo/i }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("words the hints from the catalogue without a server hint", () => {
    render(<Refusal code="not_a_lesion" reasons={["not_a_lesion"]} hint={null} onRetry={() => undefined} />);
    expect(screen.getByTestId("refusal")).toHaveTextContent(/point the camera at one spot/i);
  });

  it("takes focus when it appears, so keyboard and screen-reader users land on it", () => {
    render(
      <>
        <button type="button">Elsewhere</button>
        <Refusal code="not_a_lesion" reasons={["not_a_lesion"]} hint={null} onRetry={() => undefined} />
      </>,
    );
    const refusal = screen.getByTestId("refusal");
    expect(refusal).toHaveAttribute("tabindex", "-1");
    expect(refusal).toHaveFocus();
    expect(refusal).toHaveAccessibleName("This photo cannot be judged");
  });

  it("takes focus again when a new refusal replaces the last one", () => {
    const { rerender } = render(
      <Refusal code="not_a_lesion" reasons={["not_a_lesion"]} hint={null} onRetry={() => undefined} />,
    );
    screen.getByRole("button", { name: /try another photo/i }).focus();
    rerender(<Refusal code="photo_unusable" reasons={["too_dark"]} hint={null} onRetry={() => undefined} />);
    expect(screen.getByTestId("refusal")).toHaveFocus();
  });
});
