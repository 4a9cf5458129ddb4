# The per-kind machines are proxy models of casework.Case; importing them here registers them.
from .machines import (  # noqa: F401
    CaseWorkflow,
    ComplaintWorkflow,
    DenunciationWorkflow,
    PetitionWorkflow,
    RecommendationWorkflow,
    ReflectionWorkflow,
)
