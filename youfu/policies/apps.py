from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """Policies (奖惩方案 / 考核办法) as versioned YAML documents; for now only `youfu policy check`."""

    name = "youfu.policies"
    label = "policies"
