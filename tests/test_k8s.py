"""deploy/k8s renders with kustomize (``kubectl kustomize``, offline) and validates against the
Kubernetes JSON schemas shipped in the kubernetes-validate wheel; and it says what the code does:
probe paths that exist, a grace period that covers the drain, the measured memory, a hardened pod."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from skinscan.api.server import GRACEFUL_SECONDS

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "k8s"
KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")  # the oldest release still common, and the newest schemas


def _kustomize() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


KUSTOMIZE = _kustomize()
pytestmark = pytest.mark.skipif(
    KUSTOMIZE is None and not os.environ.get("CI"), reason="neither kustomize nor kubectl is installed"
)


def render(folder: Path) -> dict[str, dict[str, Any]]:
    assert KUSTOMIZE is not None, "kubectl (or kustomize) is needed to render deploy/k8s"
    done = subprocess.run([*KUSTOMIZE, str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    docs = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    return {doc["kind"]: doc for doc in docs}


@pytest.fixture(scope="module")
def base() -> dict[str, dict[str, Any]]:
    return render(K8S)


@pytest.fixture(scope="module")
def overlay() -> dict[str, dict[str, Any]]:
    return render(K8S / "overlays" / "example")


def container(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    containers = docs["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def test_every_rendered_object_is_valid(base: dict[str, dict[str, Any]], overlay: dict[str, dict[str, Any]]) -> None:
    assert set(base) == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    assert set(overlay) == set(base) | {"Namespace"}
    for docs in (base, overlay):
        for doc in docs.values():
            for version in KUBERNETES_VERSIONS:
                kubernetes_validate.validate(doc, version, strict=True)  # raises on any error
    assert base["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
    assert base["PodDisruptionBudget"]["apiVersion"] == "policy/v1"


def test_a_broken_manifest_fails_validation() -> None:
    """The check can fail: a typo'd field and a wrong type are both caught."""
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"prots": []}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)
    bad = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "x"},
        "spec": {"minAvailable": []},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)


def test_probes_use_the_apps_liveness_and_readiness_routes(base: dict[str, dict[str, Any]]) -> None:
    paths = json.loads((REPO / "docs" / "openapi.json").read_text())["paths"]
    main = container(base)
    assert main["readinessProbe"]["httpGet"]["path"] == "/api/v1/ready" in paths
    assert main["livenessProbe"]["httpGet"]["path"] == "/api/v1/health" in paths
    assert main["startupProbe"]["httpGet"]["path"] == "/api/v1/health"
    port_names = {port["name"]: port["containerPort"] for port in main["ports"]}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert main[probe]["httpGet"]["port"] in port_names
    env = {item["name"]: item["value"] for item in main["env"]}
    assert int(env["SKINSCAN_PORT"]) == port_names["http"]
    assert base["Service"]["spec"]["ports"][0]["targetPort"] == "http"


def test_grace_period_covers_the_prestop_wait_and_the_drain(base: dict[str, dict[str, Any]]) -> None:
    pod = base["Deployment"]["spec"]["template"]["spec"]
    command = container(base)["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    assert int(command[1]) + GRACEFUL_SECONDS < pod["terminationGracePeriodSeconds"]


def test_pod_is_hardened(base: dict[str, dict[str, Any]]) -> None:
    pod = base["Deployment"]["spec"]["template"]["spec"]
    security = container(base)["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True and security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # The image's user (Dockerfile) is the one the pod runs as.
    user = re.search(r"^USER (\d+)$", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    assert user and int(user.group(1)) == pod["securityContext"]["runAsUser"]
    # Writable space only where needed: one emptyDir at /tmp (multiprocessing, prometheus files).
    assert [volume["name"] for volume in pod["volumes"]] == ["tmp"] and "emptyDir" in pod["volumes"][0]
    assert [mount["mountPath"] for mount in container(base)["volumeMounts"]] == ["/tmp"]


def _mebibytes(quantity: str) -> float:
    units = {"Mi": 1.0, "Gi": 1024.0, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for unit, factor in units.items():
        if quantity.endswith(unit):
            return float(quantity[: -len(unit)]) * factor
    return float(quantity) / 2**20


def test_resources_come_from_the_measurement(base: dict[str, dict[str, Any]]) -> None:
    """Memory request >= one process's peak RSS under load (bench/results/cluster.json, written by
    `skinscan bench --which cluster`),
    the ONNX Runtime threads match the CPU limit."""
    resources = container(base)["resources"]
    measured = json.loads((REPO / "bench" / "results" / "cluster.json").read_text())["one_process_rss_mb"]
    peak_mib = measured["peak_mb"]  # launch.rss_mb: /proc VmRSS in KiB / 1024
    assert _mebibytes(resources["requests"]["memory"]) >= peak_mib
    assert _mebibytes(resources["limits"]["memory"]) >= 1.2 * peak_mib
    env = {item["name"]: item["value"] for item in container(base)["env"]}
    assert int(env["SKINSCAN_THREADS"]) == int(resources["limits"]["cpu"]) == measured["threads"]
    assert float(resources["requests"]["cpu"]) <= float(resources["limits"]["cpu"])


def test_replicas_autoscaler_and_disruption_budget_fit_together(base: dict[str, dict[str, Any]]) -> None:
    deployment, hpa, pdb = base["Deployment"], base["HorizontalPodAutoscaler"], base["PodDisruptionBudget"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["replicas"] >= 2 and hpa["spec"]["minReplicas"] >= 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "skinscan"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    for selector in (deployment["spec"]["selector"]["matchLabels"], pdb["spec"]["selector"]["matchLabels"]):
        assert selector and selector.items() <= labels.items()
    assert base["Service"]["spec"]["selector"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]  # a node drain can always proceed


def test_overlay_sets_image_and_replicas(base: dict[str, dict[str, Any]], overlay: dict[str, dict[str, Any]]) -> None:
    assert container(base)["image"] == "skinscan:latest"
    assert container(overlay)["image"] == "registry.example.com/skinscan:2.0.0"
    assert overlay["Deployment"]["spec"]["replicas"] == 3 != base["Deployment"]["spec"]["replicas"]
    assert overlay["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 3
    assert {doc["metadata"].get("namespace") for kind, doc in overlay.items() if kind != "Namespace"} == {"skinscan"}
