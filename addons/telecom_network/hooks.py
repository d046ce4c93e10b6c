def post_init_hook(env):
    """Existing free-text circuit ids become circuit records linked to their services."""
    env["telecom.service"].with_context(active_test=False).search(
        [("circuit_id", "!=", False), ("circuit_record_id", "=", False)]
    )._telecom_link_circuits()
