import { createContext, type ReactNode, type RefObject, useContext, useMemo, useRef, useState } from "react";
import type { Answers } from "./combine";

interface AnswersState {
  answers: Answers;
  setAnswers: (next: Answers) => void;
  /** The latest answers, for callbacks that must not re-run when they change (the live loop, uploads). */
  ref: RefObject<Answers>;
}

const AnswersContext = createContext<AnswersState | null>(null);

/** The questionnaire's answers, held in memory only (never written to storage until a check is saved). */
export function AnswersProvider({ children }: { children: ReactNode }) {
  const [answers, setState] = useState<Answers>({});
  const ref = useRef<Answers>({});
  const value = useMemo<AnswersState>(
    () => ({
      answers,
      ref,
      setAnswers: (next) => {
        ref.current = next;
        setState(next);
      },
    }),
    [answers],
  );
  return <AnswersContext.Provider value={value}>{children}</AnswersContext.Provider>;
}

const EMPTY_REF: RefObject<Answers> = { current: {} };

/** Outside a provider (unit tests of other parts) there are no answers. */
export function useAnswers(): AnswersState {
  return useContext(AnswersContext) ?? { answers: {}, setAnswers: () => undefined, ref: EMPTY_REF };
}
