from odoo.tests import new_test_user, tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestViews(TelecomRegulatoryCase):
    def test_actions_open_for_their_users(self):
        officer = new_test_user(
            self.env, login="t_view_officer", groups="telecom_catalog.group_telecom_regulatory"
        )
        cpni = new_test_user(
            self.env,
            login="t_view_cpni",
            groups="telecom_catalog.group_telecom_user,telecom_catalog.group_telecom_cpni",
        )
        data = self.env["ir.model.data"].search(
            [("module", "=", "telecom_regulatory"), ("model", "=", "ir.actions.act_window")]
        )
        actions = self.env["ir.actions.act_window"].browse(data.mapped("res_id"))
        self.assertGreaterEqual(len(actions), 15)
        for action in actions:
            model = self.env[action.res_model]
            for user in (officer, cpni, self.env.ref("base.user_admin")):
                if not model.with_user(user).has_access("read"):
                    continue
                views = [(False, mode) for mode in action.view_mode.split(",")]
                with self.subTest(action=action.xml_id, user=user.login):
                    result = model.with_user(user).get_views(views)
                    self.assertTrue(result["views"])
        # the partner form with the Regulatory tab, for a telecom user without CPNI rights
        agent = new_test_user(
            self.env, login="t_view_agent", groups="telecom_catalog.group_telecom_user"
        )
        arch = (
            self.env["res.partner"]
            .with_user(agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("telecom_census_tract", arch)
        self.assertNotIn("telecom_cpni_service_mix", arch)
