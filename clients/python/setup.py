"""Generates the circulate.v1 stubs from proto/ into the package while it is built, so an
installed client carries them and needs no grpcio-tools at run time."""

import pathlib
import shutil
import tempfile

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
PROTO_ROOT = HERE.parent.parent / "proto"
PROTO = PROTO_ROOT / "circulate" / "v1" / "circulate.proto"


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        from grpc_tools import protoc  # a build requirement (pyproject.toml)
        import grpc_tools

        if not PROTO.exists():
            raise SystemExit(f"circulate-client: {PROTO} not found; build from the repository checkout")
        out = pathlib.Path(self.build_lib)
        with tempfile.TemporaryDirectory() as tmp:
            # The proto is placed under the package's path so the generated modules import
            # each other as circulate_client._gen.circulate.v1.*.
            staged = pathlib.Path(tmp) / "circulate_client" / "_gen" / "circulate" / "v1"
            staged.mkdir(parents=True)
            # google/longrunning/operations.proto comes from PROTO_ROOT at build time and from
            # googleapis-common-protos at run time (its operations_pb2 module).
            shutil.copy(PROTO, staged / "circulate.proto")
            include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
            code = protoc.main([
                # PROTO_ROOT gives google/api/annotations.proto (its HTTP options); the generated
                # code imports google.api from googleapis-common-protos at run time.
                "grpc_tools.protoc", f"-I{tmp}", f"-I{PROTO_ROOT}", f"-I{include}",
                f"--python_out={out}", f"--grpc_python_out={out}",
                str(staged / "circulate.proto"),
            ])
            if code != 0:
                raise SystemExit(f"circulate-client: protoc failed ({code})")
        for package in ["circulate_client/_gen", "circulate_client/_gen/circulate",
                        "circulate_client/_gen/circulate/v1"]:
            (out / package / "__init__.py").touch()


setup(cmdclass={"build_py": BuildWithStubs})
