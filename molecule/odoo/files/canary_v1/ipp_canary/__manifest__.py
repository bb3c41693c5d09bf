# A minimal addon for the deploy tests: its version and data change between
# canary_v1 and canary_v2 (whose update fails on purpose).
{
    "name": "IPP canary",
    "version": "18.0.1.0.0",
    "summary": "Deploy test fixture: one partner written by its data file",
    "license": "LGPL-3",
    "author": "InsightPulse",
    "depends": ["base"],
    "data": ["data/partner.xml"],
    "installable": True,
}
