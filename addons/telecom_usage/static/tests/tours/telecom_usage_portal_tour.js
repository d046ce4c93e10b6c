/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Call detail: the customer opens a service's usage, confirms their password, sees the
 * calls and downloads the call detail CSV.
 */
const callDetailSteps = () => [
    {
        content: "Open my services",
        trigger: ".o_portal_index_card a[href='/my/services']",
        run: "click",
    },
    {
        content: "Open the VoIP line",
        trigger: "tr.o_telecom_service_row:contains('T VoIP Line') a",
        run: "click",
    },
    {
        content: "Open usage and call detail",
        trigger: "a.o_telecom_usage",
        run: "click",
    },
    {
        content: "Call detail is protected: type the password",
        trigger: ".o_telecom_reauth_form input[name='password']",
        run: "edit t_portal_alice",
    },
    {
        content: "Confirm the password",
        trigger: ".o_telecom_reauth_form button[type='submit']",
        run: "click",
    },
    {
        content: "The calls of the current period are listed",
        trigger: "tr.o_telecom_usage_row:contains('+12125550111')",
    },
    {
        content: "Download the call detail",
        trigger: "a.o_telecom_call_detail_download",
        async run() {
            const response = await fetch(this.anchor.href);
            const text = await response.text();
            const type = response.headers.get("Content-Type") || "";
            if (!type.startsWith("text/csv") || !text.startsWith("record_id,")) {
                throw new Error(`Call detail download failed: ${type} ${text.slice(0, 80)}`);
            }
            if (!text.includes("+12125550111")) {
                throw new Error("The call detail does not list the call");
            }
            document.body.classList.add("o_telecom_call_detail_downloaded");
        },
    },
    {
        content: "The call detail was downloaded",
        trigger: "body.o_telecom_call_detail_downloaded",
    },
];

registry.category("web_tour.tours").add("telecom_usage_portal_tour", {
    url: "/my",
    steps: () => callDetailSteps(),
});
