"""The dependencies layer is built by pip for Lambda's arm64 Python 3.13, without Docker."""

from __future__ import annotations

from pathlib import Path

from infra.constructs.functions import PipForArm64

ROOT = Path(__file__).resolve().parents[2]


def test_layer_holds_arm64_wheels_and_leaves_boto_to_the_runtime(tmp_path):
    assert PipForArm64(ROOT / "layers" / "dependencies" / "requirements.txt").try_bundle(str(tmp_path))
    site = tmp_path / "python"
    assert list(site.glob("pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so"))
    assert (site / "aws_lambda_powertools").is_dir() and (site / "tzdata").is_dir()
    assert not list(site.glob("botocore*")) and not list(site.glob("boto3*"))
