def post_init_hook(env):
    """Existing free-text circuit ids become circuit records linked to their services."""
    env["telecom.service"].with_context(active_test=False).search(
        [("circuit_id", "!=", False), ("circuit_record_id", "=", False)]
    )._telecom_link_circuits()


def uninstall_hook(env):
    """The staged rows of inventory extracts are a plain table, not a model: drop it."""
    env.cr.execute("DROP TABLE IF EXISTS telecom_network_extract_row")
