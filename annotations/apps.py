from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        # The campaign groups' models live in their capability (annotations/campaigns/models.py),
        # which the core's models may not import: registered here, under this app's label.
        # The accounts app erases or exports a person's data without knowing about annotations.
        from accounts.services import users
        from annotations.account_data import contributions_export, contributions_on_account_delete
        from annotations.campaigns import models as campaign_models  # noqa: F401

        if contributions_on_account_delete not in users.CONTRIBUTION_HANDLERS:
            users.CONTRIBUTION_HANDLERS.append(contributions_on_account_delete)
        if contributions_export not in users.DATA_EXPORTERS:
            users.DATA_EXPORTERS.append(contributions_export)

        # A finished provision mapping carries the earlier draft's annotations to the new one.
        from annotations.carrying.tasks import anchors_carry_enqueue
        from treaty.drafts.mapping_runs import MAPPING_DONE_HANDLERS

        if anchors_carry_enqueue not in MAPPING_DONE_HANDLERS:
            MAPPING_DONE_HANDLERS.append(anchors_carry_enqueue)
