"""The case app's pages, one module per area.

- `access`: who may reach a page (the counter decorator, a grant's visibility), safe ways back, plain refusals
- `needs`: a manager's landing page, what waits for them now
- `counter`: screen 1 (find or add the customer), the location chosen, my grants, rule flags
- `resolve`: screen 2 (the failure, the playbook cards, granting)
- `granted`: screen 3 (the granted page and the printable slip)
- `vouchers`: redeeming at the counter and the customer's public voucher page
- `escalations`: asking a manager, the request's status, the manager queue and decisions
- `audit`: the timeline, a grant's audit page, voiding
- `exports`: the audit's CSV downloads
- `anomalies`: anomaly flags and their review
- `insights`: the dashboard and the monthly report
- `ops`: replay of a draft, rule flags for ops, budgets
- `integrations`: API tokens for ops
- `language`: the language switch

The policy's own ops pages are in `compensation.views`.
"""
