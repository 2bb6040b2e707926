import { LanguageSwitch } from "../i18n/LanguageSwitch";
import { useT } from "../i18n";

export function SiteHeader() {
  const { t } = useT();
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <span className="logo" aria-hidden="true">
          <svg viewBox="0 0 32 32">
            <circle cx="16" cy="16" r="14" />
            <circle cx="16" cy="16" r="6" />
          </svg>
        </span>
        <div className="site-header__text">
          <h1 className="site-header__title">skinscan</h1>
          <p className="site-header__tagline">{t("app.tagline")}</p>
        </div>
        <LanguageSwitch />
      </div>
    </header>
  );
}
