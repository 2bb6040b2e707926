"""One CLI: ``skinscan serve | cluster | predict | train | evaluate | export | questionnaire | bench | openapi``.

Thin on purpose: each sub-command parses arguments and calls one function of the library.
Heavy modules (torch, FastAPI) are imported only by the sub-command that needs them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

DEFAULT_MODEL = Path("models/skinscan.onnx")


def _data_dir(value: str | None) -> Path:
    path = value or os.environ.get("SKINSCAN_DATA")
    if not path:
        raise SystemExit("no data set: pass --data DIR or set SKINSCAN_DATA (see README: getting the data)")
    data = Path(path)
    if not (data / "train").is_dir() or not (data / "test").is_dir():
        raise SystemExit(f"{data} does not look like the data set: expected train/ and test/ inside it")
    return data


def _cmd_serve(args: argparse.Namespace) -> int:
    from skinscan.api.server import serve

    return serve(
        host=args.host, port=args.port, model=args.model, workers=args.workers, forwarded_hops=args.forwarded_hops
    )


def _cmd_cluster(args: argparse.Namespace) -> int:
    from skinscan.cluster import ClusterError, run_cluster

    try:
        return run_cluster(model=args.model, replicas=args.replicas, port=args.port)
    except ClusterError as exc:
        logging.error("%s", exc)
        return 2


PREDICT_EPILOG = """\
One line per photo, tab-separated:
  PHOTO  benign|malignant  p_malignant=0.123  risk=low|medium|high  advice
  PHOTO  refused  code=photo_unusable|not_a_lesion  reasons=too_dark,...  hint
  PHOTO  error  message
A refused photo gets no probability: the model cannot judge it (blurred, too dark, too small...)
or it does not look like a close-up of a skin lesion; the hint says how to take a better one.

exit status: 0 every photo answered; 3 at least one refused (none unreadable); 1 at least one
could not be read; 2 the model could not be loaded.
"""


def _cmd_predict(args: argparse.Namespace) -> int:
    from skinscan import messages
    from skinscan.images import ImageRejected
    from skinscan.predictor import ModelLoadError, Predictor, Refusal

    try:
        predictor = Predictor(args.model)
    except ModelLoadError as exc:
        logging.error("%s", exc)
        return 2
    unreadable = refused = False
    for photo in args.photos:
        try:
            result = predictor.predict(Path(photo))
        except (ImageRejected, OSError) as exc:
            sys.stdout.write(f"{photo}\terror\t{exc}\n")
            unreadable = True
            continue
        if isinstance(result, Refusal):
            refused = True
            hint = messages.hint(result.reasons, args.lang)
            reasons = ",".join(result.reasons)
            sys.stdout.write(f"{photo}\trefused\tcode={result.code}\treasons={reasons}\t{hint}\n")
            continue
        advice = messages.text(f"advice.{result.risk}", args.lang)
        sys.stdout.write(
            f"{photo}\t{result.label}\tp_malignant={result.p_malignant:.3f}\trisk={result.risk}\t{advice}\n"
        )
    return 1 if unreadable else 3 if refused else 0


def _cmd_train(args: argparse.Namespace) -> int:
    from skinscan.training.train import TrainConfig, train

    overrides = {"epochs": args.epochs, "seed": args.seed, "limit": args.limit, "device": args.device}
    config = TrainConfig(**{k: v for k, v in overrides.items() if v is not None})
    train(config, data=_data_dir(args.data), out=Path(args.out))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from skinscan.training.export import export

    export(run=Path(args.run), out=Path(args.out), data=_data_dir(args.data))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from skinscan.evaluation.evaluate import evaluate

    evaluate(model=Path(args.model), data=_data_dir(args.data), reports=Path(args.reports))
    return 0


def _cmd_questionnaire(args: argparse.Namespace) -> int:
    from skinscan.evaluation.questionnaire import fit_questionnaire

    fit_questionnaire(Path(args.model), _data_dir(args.data), reports=Path(args.reports))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from skinscan.bench.benchmarks import run_benchmarks

    return run_benchmarks(model=Path(args.model), which=args.which, out=Path(args.out))


def _cmd_openapi(args: argparse.Namespace) -> int:
    from skinscan.api.app import openapi_json

    if args.out == "-":
        sys.stdout.write(openapi_json())
    else:
        Path(args.out).write_text(openapi_json(), encoding="utf-8")
    return 0


def _add_server_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``serve`` (one server) and ``cluster`` (replicas behind HAProxy)."""
    serve = sub.add_parser("serve", help="run the API and the page")
    serve.add_argument("--host", default=None, help="default: SKINSCAN_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: SKINSCAN_PORT, PORT or 8000")
    serve.add_argument("--model", default=None, help="default: SKINSCAN_MODEL or models/skinscan.onnx")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    serve.add_argument(
        "--forwarded-hops",
        type=int,
        default=None,
        help="proxies in front that append to X-Forwarded-For (Heroku: 1); default SKINSCAN_FORWARDED_HOPS or 0",
    )
    serve.set_defaults(func=_cmd_serve)

    cluster = sub.add_parser(
        "cluster",
        help="N servers behind HAProxy on 127.0.0.1:PORT (SIGHUP: rolling restart; SIGTERM: stop)",
        description="A local stand-in for a Kubernetes Service and its rolling update (needs Debian's haproxy).",
    )
    cluster.add_argument("--replicas", type=int, default=2)
    cluster.add_argument("--port", type=int, default=8080, help="HAProxy's port on 127.0.0.1")
    cluster.add_argument("--model", default=str(DEFAULT_MODEL))
    cluster.set_defaults(func=_cmd_cluster)


def _add_questionnaire_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    questionnaire = sub.add_parser(
        "questionnaire",
        help="re-fit the questionnaire (PAD-UFES-20 train+val patients) and report it; export writes the card's part",
    )
    quest_sub = questionnaire.add_subparsers(dest="action", required=True)
    quest_fit = quest_sub.add_parser(
        "fit",
        help="score PAD-UFES-20 with the model, select questions by patient-level CV on its train+val "
        "patients, write reports/questionnaire.{json,md} and say whether the fit still gives the card's section "
        "(the card itself is written only by `skinscan export`)",
    )
    quest_fit.add_argument("--model", default=str(DEFAULT_MODEL))
    quest_fit.add_argument("--data", default=None, help="data set folder (default: SKINSCAN_DATA)")
    quest_fit.add_argument("--reports", default="reports")
    quest_fit.set_defaults(func=_cmd_questionnaire)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinscan", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    _add_server_parsers(sub)

    predict = sub.add_parser(
        "predict",
        help="print label, probability, risk and advice for photos, or why a photo is refused",
        epilog=PREDICT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument("photos", nargs="+")
    predict.add_argument("--model", default=str(DEFAULT_MODEL))
    predict.add_argument("--lang", choices=("en", "zh"), default="en", help="language of advice and hints")
    predict.set_defaults(func=_cmd_predict)

    train = sub.add_parser("train", help="fine-tune the model (needs the train extra)")
    train.add_argument("--data", default=None, help="data set folder (default: SKINSCAN_DATA)")
    train.add_argument("--out", default="runs/latest", help="run folder")
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--limit", type=int, default=None, help="use only N training photos (smoke runs)")
    train.add_argument("--device", default=None, help="cpu (default) or cuda")
    train.set_defaults(func=_cmd_train)

    export = sub.add_parser("export", help="export a run's best checkpoint to ONNX + model card")
    export.add_argument("--run", default="runs/latest")
    export.add_argument("--out", default="models")
    export.add_argument("--data", default=None, help="data set, to verify on validation (default: SKINSCAN_DATA)")
    export.set_defaults(func=_cmd_export)

    evaluate = sub.add_parser("evaluate", help="evaluate the shipped ONNX file on the test split")
    evaluate.add_argument("--data", default=None)
    evaluate.add_argument("--model", default=str(DEFAULT_MODEL))
    evaluate.add_argument("--reports", default="reports")
    evaluate.set_defaults(func=_cmd_evaluate)

    _add_questionnaire_parser(sub)

    bench = sub.add_parser("bench", help="benchmarks; results in bench/results/*.json")
    bench.add_argument("--model", default=str(DEFAULT_MODEL))
    bench.add_argument("--which", default="all", help="all | model | api | load | cluster | web")
    bench.add_argument("--out", default="bench/results")
    bench.set_defaults(func=_cmd_bench)

    openapi = sub.add_parser("openapi", help="write the API's OpenAPI document (web/src/api types come from it)")
    openapi.add_argument("--out", default="docs/openapi.json", help="file, or - for stdout")
    openapi.set_defaults(func=_cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
