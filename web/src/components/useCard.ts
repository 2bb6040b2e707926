import { useEffect, useState } from "react";
import type { ModelCard } from "../inference/card";
import { fetchCard } from "../inference/model";

/** The model card (bands, threshold, sources), fetched once for the page; null until it is there or without it. */
export function useCard(): ModelCard | null {
  const [card, setCard] = useState<ModelCard | null>(null);
  useEffect(() => {
    let current = true;
    fetchCard().then(
      (loaded) => current && setCard(loaded),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  return card;
}
