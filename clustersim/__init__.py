"""clustersim: an agent-based model of industrial cluster economies (Mesa).

Quick start (a Mesa model; scenario keys as keywords, docs/python.md)::

    from clustersim import ClusterModel
    model = ClusterModel("scenarios/cfc.toml", rng=7, **{"interventions.cfc.capacity_hours": 8e4})
    model.run()
"""

__version__ = "0.1.0"

from .inputs.files import ScenarioError  # noqa: E402
from .inputs.scenario import load_scenario  # noqa: E402


def __getattr__(name):  # keep `import clustersim` light: the model pulls in Mesa
    if name == "ClusterModel":
        from .economy.model import ClusterModel

        return ClusterModel
    raise AttributeError(name)


__all__ = ["ClusterModel", "ScenarioError", "load_scenario", "__version__"]
