# A minimal addon for the deploy tests: its version and data change between
# canary_v1 and this version, whose update fails on purpose (its data names a field res.partner lacks).
{
    "name": "IPP canary",
    "version": "18.0.1.0.1",
    "summary": "Deploy test fixture: one partner written by its data file",
    "license": "LGPL-3",
    "author": "InsightPulse",
    "depends": ["base"],
    "data": ["data/partner.xml"],
    "installable": True,
}
