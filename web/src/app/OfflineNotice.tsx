import { useSyncExternalStore } from "react";
import { useT } from "../i18n";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

/** Whether the browser says it has a network (a server that is down is found out by the upload). */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => navigator.onLine,
    () => true,
  );
}

/** With no network: what still works (live readings, history) and what needs the server (uploads). */
export function OfflineNotice() {
  const { t } = useT();
  const online = useOnline();
  if (online) return null;
  return (
    <p className="offline-notice" role="status" data-testid="offline">
      {t("offline.notice")}
    </p>
  );
}
