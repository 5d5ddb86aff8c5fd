"""Only the package list; everything else is in pyproject.toml.

setuptools finds every package under posture_assistant/ by itself. assets/
sits at the top of the repository (content people edit) but ships inside the
package as posture_assistant.assets, so installed copies find it with
importlib.resources; pyproject.toml's own `packages.find` cannot combine
discovery with that one mapped folder.
"""
from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["posture_assistant", "posture_assistant.*"]),
              "posture_assistant.assets"],
    package_dir={"posture_assistant.assets": "assets"},
)
