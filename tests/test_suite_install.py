"""The telecom modules install together, and every model they define is protected."""

from odoo.tests import TransactionCase, tagged

SUITE = (
    "telecom_catalog",
    "telecom_numbers",
    "telecom_billing",
    "telecom_usage",
    "telecom_migration",
    "telecom_provisioning",
    "telecom_regulatory",
    "telecom_interconnect",
    "telecom_interconnect_regulatory",
    "telecom_file_channel",
    "telecom_network",
)
# Installed with the suite by tools/suite.sh: autopay's tests charge its demo provider.
TEST_MODULES = ("payment_demo",)


@tagged("post_install", "-at_install")
class TestSuiteInstall(TransactionCase):
    def test_all_modules_installed(self):
        modules = self.env["ir.module.module"].search([("name", "in", SUITE)])
        self.assertEqual({m.name: m.state for m in modules}, dict.fromkeys(SUITE, "installed"))
        demo = self.env["ir.module.module"].search([("name", "in", TEST_MODULES)])
        self.assertEqual(demo.mapped("state"), ["installed"], "autopay tests need payment_demo")

    def test_every_model_has_access_rules(self):
        models = (
            self.env["ir.model"]
            .search([])
            .filtered(lambda m: any(name in SUITE for name in m.modules.split(", ")))
        )
        telecom_models = models.filtered(
            lambda m: m.model.startswith("telecom.") and not self.env[m.model]._abstract
        )
        self.assertTrue(telecom_models, "the suite defines telecom.* models")
        without_rules = telecom_models.filtered(lambda m: not m.access_ids)
        self.assertFalse(without_rules.mapped("model"), "every telecom model needs access rules")

    def test_no_required_column_on_standard_models(self):
        """A field the suite adds to another module's model (a company, a partner, an
        invoice) is never NOT NULL in the database: the modules loaded before the suite create
        such records without knowing the field (Odoo's own tests of sale create companies),
        and would fail on the constraint. Defaults and form views make them required."""
        required = [
            f"{model_name}.{name}"
            for model_name in self.env.registry
            for name, field in self.env[model_name]._fields.items()
            if field._module in SUITE
            and self.env[model_name]._original_module not in SUITE
            and self.env[model_name]._auto
            and field.store
            and field.column_type
            and field.required
        ]
        self.assertFalse(required, "NOT NULL columns on models of other modules")

    def test_group_implications(self):
        ref = self.env.ref
        manager = ref("telecom_catalog.group_telecom_manager")
        user = ref("telecom_catalog.group_telecom_user")
        implied = manager.trans_implied_ids
        for role in ("billing", "number_admin", "noc", "regulatory"):
            self.assertIn(ref(f"telecom_catalog.group_telecom_{role}"), implied)
            self.assertIn(user, ref(f"telecom_catalog.group_telecom_{role}").trans_implied_ids)
        cpni = ref("telecom_catalog.group_telecom_cpni")
        self.assertNotIn(cpni, implied, "CPNI access is granted person by person")
        self.assertIn(user, cpni.trans_implied_ids)

    def test_menus_extend_the_telecom_root(self):
        root = self.env.ref("telecom_catalog.menu_telecom_root")
        children = self.env["ir.ui.menu"].search([("parent_id", "=", root.id)])
        self.assertGreaterEqual(len(children), 2)
