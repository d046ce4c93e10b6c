/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A customer on the portal: opens their services, changes plan after seeing the prorated
 * preview, adds an add-on, asks to port a number in, gets a validation error and fixes it.
 */

function nextBusinessDay(daysAhead) {
    const day = new Date();
    day.setDate(day.getDate() + daysAhead);
    while (day.getDay() === 0 || day.getDay() === 6) {
        day.setDate(day.getDate() + 1);
    }
    const pad = (n) => String(n).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

const servicesSteps = () => [
    {
        content: "Open my services from the portal home",
        trigger: ".o_portal_index_card a[href='/my/services']",
        run: "click",
    },
    {
        content: "Open the mobile service",
        trigger: "tr.o_telecom_service_row:contains('T Mobile Basic') a",
        run: "click",
    },
    {
        content: "The service shows its plan",
        trigger: ".o_telecom_plan_name:contains('T Mobile Basic')",
    },
    {
        content: "Change the plan",
        trigger: "a.o_telecom_change_plan",
        run: "click",
    },
    {
        content: "Choose the bigger plan",
        trigger: "label:contains('T Mobile Plus') input[name='plan_id']",
        run: "click",
    },
    {
        content: "Ask for the preview",
        trigger: "button.o_telecom_preview_button",
        run: "click",
    },
    {
        content: "The prorated preview is shown",
        trigger: ".o_telecom_preview .o_telecom_preview_total:contains('$')",
    },
    {
        content: "Confirm the plan change",
        trigger: "button.o_telecom_confirm",
        run: "click",
    },
    {
        content: "The change is confirmed",
        trigger: ".o_telecom_portal_message",
    },
    {
        content: "The service is on the new plan",
        trigger: ".o_telecom_plan_name:contains('T Mobile Plus')",
    },
    {
        content: "Add an add-on",
        trigger: "a.o_telecom_add_addon",
        run: "click",
    },
    {
        content: "Choose the data add-on",
        trigger: "label:contains('T Extra Data 10 GB') input[name='addon_id']",
        run: "click",
    },
    {
        content: "Preview its prorated charge",
        trigger: "button.o_telecom_preview_button",
        run: "click",
    },
    {
        content: "The add-on preview is shown",
        trigger: ".o_telecom_preview .o_telecom_preview_total:contains('$')",
    },
    {
        content: "Confirm the add-on",
        trigger: "button.o_telecom_confirm",
        run: "click",
    },
    {
        content: "The add-on is on the service",
        trigger: ".o_telecom_addons td:contains('T Extra Data 10 GB')",
    },
];

const portInSteps = () => [
    {
        content: "Back to the portal home",
        trigger: ".o_portal_submenu a[href='/my/home']",
        run: "click",
    },
    {
        content: "Open number porting",
        trigger: ".o_portal_index_card a[href='/my/port-requests']",
        run: "click",
    },
    {
        content: "Bring a number",
        trigger: "a.o_telecom_new_port",
        run: "click",
    },
    {
        content: "Number to bring",
        trigger: "textarea[name='number_input']",
        run: "edit 312-555-0163",
    },
    {
        content: "Current carrier",
        trigger: "input[name='losing_carrier']",
        run: "edit Old Telco",
    },
    {
        content: "Account number at the current carrier",
        trigger: "input[name='account_number']",
        run: "edit A-77",
    },
    {
        content: "Submit without a date or a signed letter",
        trigger: "button.o_telecom_port_submit",
        run: "click",
    },
    {
        content: "The form says what is missing",
        trigger: ".o_telecom_port_errors li:contains('Letter of Authorization')",
    },
    {
        content: "Pick a port date",
        trigger: "input[name='desired_due_date']",
        run() {
            this.anchor.value = nextBusinessDay(10);
            this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    },
    {
        content: "Attach the signed letter of authorization",
        trigger: "input[name='loa_file']",
        run() {
            const transfer = new DataTransfer();
            transfer.items.add(
                new File(["%PDF-1.4 signed letter"], "loa.pdf", { type: "application/pdf" })
            );
            this.anchor.files = transfer.files;
            this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    },
    {
        content: "Submit again",
        trigger: "button.o_telecom_port_submit",
        run: "click",
    },
    {
        content: "The request was sent",
        trigger: ".o_telecom_port_message:contains('was sent')",
    },
    {
        content: "Its status is shown",
        trigger: ".o_telecom_port_state:contains('Submitted')",
    },
];

registry.category("web_tour.tours").add("telecom_portal_tour", {
    url: "/my",
    steps: () => [...servicesSteps(), ...portInSteps()],
});
