"""The help of each page, and the words of the audit trail's pages.

:data:`HELP` maps each page, by the path template of its route (``/sites/{code}``, as
``request.scope["route"].path`` names it), to a short text in the reader's language: what the
page shows, where its figures come from, what the reader can do there and which standard or
clause of the plan applies. ``base.html`` shows it, folded, above the page's content
(``help_panel.html``); every page of the application has one
(``tests/contracts/test_help.py``).

:data:`LABELS` names the actions of the audit trail and the kinds of record it follows.
"""

from aurum.core.i18n import lazy_gettext as _

HELP = {
    # the regulator's monitor of the plan
    "/": _("Your home gathers what your role works on: for a regulator the indicators with "
           "the reports to review and the latest received; for an enterprise its reports due "
           "and returned, its sites, open hazards and alerts; for a recycler its purchases, "
           "reports due and ledger. Every link leads to a page you may open."),
    "/dashboard": _("The plan's 2027 indicators computed from the statistical reports of "
                    "the sites you may read: gold resources +5–10 %, gold and silver output "
                    "+5 %, mines of 500 t/d or more giving at least 70 per cent of mine output, "
                    "gold solid waste utilised at least 35 %, and the scale of new plants. "
                    "Each shows its 2024 baseline, the current year, the trajectory, the "
                    "projection to 2027 and the gap in tonnes. Choose the year (?as_of=) and "
                    "export every table to CSV or Excel."),
    "/provinces": _("The plan's indicators province by province, computed from the accepted "
                    "reports of each province's sites, with a map. Open a province for its "
                    "enterprises, sites and hazards; a provincial regulator sees only its "
                    "own province."),
    "/provinces/{code}": _("One province: its indicators against the plan's 2027 targets, "
                           "its enterprises and sites, and its open hazards. The figures come "
                           "from the accepted reports of the province's sites."),
    "/enterprises": _("Enterprises and enterprise groups with their figures against the "
                      "plan: a group's figures consolidate those of its members. Open an "
                      "enterprise for its sites and indicators."),
    "/enterprises/{code}": _("One enterprise (or group with its members): its gold output "
                             "over time, its indicators against the plan's targets, and its "
                             "sites. The history link lists every change to its registration "
                             "in the audit trail."),
    "/sites": _("Every mine, plant and tailings facility you may read, with its location, "
                "capacity (t/d) and status, on a map. Open a site for its reports and "
                "charts."),
    "/sites/{code}": _("One site: its registration, its quarterly figures (gold and silver, "
                       "ore treated, resources by category under GB/T 17766-2020, solid "
                       "waste) and the reports they come from. An enterprise user submits a "
                       "new report from here; the history link shows who changed the site "
                       "and its reports, when and why."),
    # statistical reports and their review
    "/reports": _("The statistical reports received, by period, with their versions. An "
                  "amendment never overwrites: it adds a version with its reason. Download the "
                  "template, upload a CSV or Excel file (refused whole, every problem named "
                  "by row and column), or use the form."),
    "/reports/new": _("Submit one site's report for one period: ore, grade, gold and silver "
                      "by source, resources and reserves (GB/T 17766-2020), solid waste by "
                      "type and route, cyanide and energy. To correct a report already "
                      "submitted, give a reason: it becomes a new version."),
    "/reports/{report_id}": _("One report with every version submitted, who submitted it, "
                              "when and why it was amended. The version in force is the "
                              "newest; the national figures use it."),
    "/reports/review": _("The reports of your province waiting for review. Accept a report "
                         "so that its figures count nationally, or return it with a reason; "
                         "the enterprise then amends it."),
    "/notifications": _("Your notifications: reports due or overdue, reports returned with a "
                        "reason, reports to review, and new alerts. Each one links to the "
                        "page where you act on it."),
    "/briefings": _("Briefings for the minister's desk: the plan's five indicators with "
                    "their charts, plant scale, safety clearing, recycling reports and data "
                    "quality, as a PDF in Chinese or English, drawn from the same figures as "
                    "the dashboard."),
    "/compliance": _("New processing plants, heap-leach sites and smelters against the "
                     "capacities the plan encourages (Task 5): at least 500, 2,000 and "
                     "200 t/d. The list comes from the registry's commissioning dates and "
                     "design capacities."),
    "/data-quality": _("Late and missing reports and implausible figures, by site and "
                       "period: what to chase before the indicators can be trusted."),
    # resources, pits and prospectivity
    "/resources": _("Resources and reserves by site, classified under GB/T 17766-2020 "
                    "(measured, indicated, inferred; proved, probable). Statements come from "
                    "block models estimated by kriging; their year-end contained gold feeds "
                    "the statistical report."),
    "/resources/drillholes": _("Check drillhole files before estimation: upload collar, "
                               "survey and assay files; every problem is named by file, row "
                               "and column, and the composites, log-probability plot and "
                               "top-cut table follow. Sampling and grades follow "
                               "DZ/T 0205-2020."),
    "/resources/{site_code}": _("One mine's resource model: its statements, plan and section "
                                "views, blocks and composites in 3D, the grade–tonnage curve, "
                                "the variograms and the change from last year's statement "
                                "(depletion, exploration, revision). Categories follow "
                                "GB/T 17766-2020."),
    "/resources/{site_code}/gbt": _(
        "The mine's industrial indicators (DZ/T 0205-2020) with every version, and its "
        "geological-block estimates in the vertical longitudinal projection. Upload collar, "
        "survey and assay files with the orebody's strike, dip and density: each hole is "
        "delineated with the indicators in force, each industrial intercept makes a block "
        "categorised under GB/T 17766-2020 by drill spacing, and kriging checks the totals. "
        "Publish an estimate to make it the year's resource statement."),
    "/underground": _("The deep underground mines you may read, each with its latest stope "
                      "plan: stopes, their value and net present value, and the tailings the "
                      "plan sends to the stopes as backfill. Open a mine to plan it."),
    "/underground/{code}": _(
        "A deep mine's stope plan: the stopes of greatest value on its block model in 3D, "
        "coloured by the month they are mined; the schedule of greatest net present value "
        "as a Gantt chart with each stope's mining, filling and curing; and each month's "
        "tailings to the stopes and to the facility against the plan's 35 per cent line. "
        "Export the stopes to CSV, Excel or OMF, or plan again with other economics."),
    "/materials/matching": _(
        "Supply–demand matching: the open needs you may read (your own, those your products "
        "qualify for, or all for regulators), each with its best qualified products, and "
        "the chart of open needs and supply gaps by material. A product qualifies when each "
        "range its specification guarantees lies inside the need's and its Cpk is at least "
        "1.33. A downstream user posts a need with the form below the list."),
    "/materials/needs/{need_id}": _(
        "A need with its matches: the qualified products ranked by score, each explained "
        "property by property (the need's range, the product's, the margin and the Cpk), "
        "with its evaluations and distance; the unproven products; and, for the buyer, "
        "those that do not qualify and why. The buyer closes or withdraws the need here."),
    "/ventilation": _("The mines you may read that have a ventilation network, each with its "
                      "latest version. Open a mine to see its network, fans and climate."),
    "/ventilation/{code}": _(
        "A mine's ventilation network, solved when it was stored: the schematic (junctions "
        "at their elevation, airways coloured and widened by the flow, arrows for its "
        "direction, fans and regulators marked) and the network in 3D; the fans' curves with "
        "their operating points; the dry and wet bulb along the main routes against depth "
        "with the GB 16423-2020 limit and the cooling needed; and each working place's "
        "required airflow against the solved one. Upload a NETWORK.yaml to store a new "
        "version."),
    "/materials": _(
        "The shelf products of high-end gold and silver materials by material kind: the chart "
        "counts each kind's products by capability class (least Cpk of their specification), "
        "the table lists them with their maker, batches, least Cpk and evaluation record, "
        "filtered by kind and maker. A new-materials enterprise puts a product on the shelf "
        "here with its specification."),
    "/materials/products/{code}": _(
        "A shelf product: its specification property by property (unit, limits, target, test "
        "method) with the capability stored when the last batch was recorded (Cp, Cpk, Pp, "
        "Ppk, values out of specification), each property's control chart over the batches "
        "with its control and specification limits, the latest batches, the documents and "
        "the downstream users' application evaluations (the verdict for every reader, the "
        "trial's data for the parties). The maker records batches and documents here, a "
        "downstream user its evaluation."),
    "/standards": _(
        "The gold field's standard system: national (GB, GB/T), industry (YS/T, DZ/T, AQ, "
        "HJ…), local, group (T/…) and enterprise (Q/…) standards with their status from plan "
        "to withdrawal. The map counts the standards of each status in each of the plan's "
        "priority areas (deep mining, green and low-carbon, digital and intelligent, new "
        "materials) and the working areas; the table below filters by level and status, "
        "searches and exports. Numbers and titles of the real standards come from the public "
        "sources each standard's page cites; demo entries say so."),
    "/standards/{code}": _(
        "One standard: level, status, committee and dates, the editions it replaces and that "
        "replace it, its status history, international counterparts (ISO, ASTM, LBMA…) with "
        "their degree of correspondence and mutual recognition, and the implementation "
        "records you may read. An administrator or a national regulator changes the status "
        "(a withdrawal names the replacing edition). "
        "In force, an enterprise records its own implementation for the effect evaluation "
        "(each indicator before and after); a new record corrects its earlier one, kept but "
        "no longer counted."),
    "/structure": _("Regional consolidation studies of the provinces you may read, with the "
                    "share of mine output from mines of 500 t/d or more before and after the "
                    "best scenario against the plan's 70 per cent. Open a study for its map "
                    "and scenarios."),
    "/structure/{study_id}": _(
        "A province's consolidation study, solved when it was stored: every mine sends its "
        "ore to one plant at the least daily cost (fixed costs of the plants running, "
        "haulage by road, processing). The map draws the chosen flows of a scenario; the "
        "chart compares the scenarios' cost and the share of mines of 500 t/d or more, "
        "small mines feeding one central mill within the radius counting as one regional "
        "mine of their summed capacity (Task 5 of the plan)."),
    "/trade": _("Imports of gold ore and concentrate (HS 2616.90) and gold (HS 7108) by partner "
                "from customs statistics: the partners' shares on the map, the HHI by month "
                "against the 1,500 and 2,500 bands, the largest partners, trends and the "
                "share long-term agreements cover. Upload a customs file or record an "
                "agreement below."),
    "/trade/overseas": _("The overseas projects you may read, by year: stage, ownership, "
                         "output and Belt and Road flag, on the map; their community "
                         "investment, local employment, environmental incidents and "
                         "grievances. A correction is recorded as a new version."),
    "/metrology": _("Proficiency testing of gold assays by the metrology and testing centre: "
                    "the rounds (open and closed) with their laboratories by performance "
                    "flag, the reference materials with their certified values and "
                    "uncertainties, and the laboratories whose history you may read."),
    "/metrology/rounds/{code}": _(
        "A proficiency-test round: its sample (a reference material, or the participants' "
        "consensus by ISO 13528 Algorithm A), sigma_pt and, once closed, every laboratory's "
        "z, z′, ζ and E_n with the z-score chart and its ±2 and ±3 lines. Laboratories see "
        "each other by participant code. A laboratory submits its result here while the "
        "round is open; the centre closes it."),
    "/metrology/labs/{code}": _("A laboratory's scores across the closed rounds: the z-score "
                                "of each round against the ±2 and ±3 lines, and its z′, ζ "
                                "and E_n."),
    "/pit": _("Open-pit studies: each published resource model can be run to its ultimate "
              "pit (exact, by pseudoflow), nested pits, pushbacks and cut-off grades. Choose "
              "a model to start."),
    "/pit/{model_id}": _("A pit study of one resource model: the ultimate pit shell in 3D, "
                         "the pit-by-pit chart of tonnes and value, pushbacks and cut-off "
                         "grades. Change the price, costs, slopes or mining width and run it "
                         "again; save a scenario to compare."),
    "/pit/{model_id}/scenarios/{scenario}": _("A saved scenario of a pit study: its "
                                              "parameters and results, kept as they were run."),
    "/pit/{model_id}/compare": _("Saved scenarios of one resource model side by side: "
                                 "ultimate pit tonnes, metal, stripping ratio and value."),
    "/prospect": _("Prospectivity studies: where new deposits are likely, from geological "
                   "evidence (weights of evidence, fuzzy overlays, machine learning), in "
                   "support of the plan's Task 1. Open a study or run the demo."),
    "/prospect/{study}": _("One prospectivity study: the evidence layers and their weights, "
                           "the posterior map, ROC and success-rate curves, and the ranked "
                           "targets handed over to resource work."),
    # plants, waste and recycling
    "/processing": _("Processing plants: the solid-waste utilisation by year against the "
                     "plan's 35 % target, from the plants' monthly waste ledgers. Open a "
                     "plant for its circuit and metal accounts."),
    "/processing/{code}": _("One plant: its circuit as reconciled flows (least squares on "
                            "masses and assays, suspect measurements flagged), the monthly "
                            "metal account with recovery and unaccounted gold, closed months "
                            "with their hashes, and the waste ledger beside the report in "
                            "force."),
    "/recycling": _("The gold recycling ledger (the plan's Task 4): purchases recorded on an "
                    "append-only log with signed checkpoints, sellers' personal data sealed "
                    "and masked. Record purchases one by one or from a file."),
    "/recycling/ledger": _("The ledger's entries and its signed tree heads. Anyone may check "
                           "that the log was only ever appended to, against a checkpoint "
                           "kept outside the platform."),
    "/recycling/reports": _("Large-value cash and suspicious transaction reports, raised by "
                            "the People's Bank of China's rules over the purchases; submit "
                            "them and follow their receipts."),
    "/recycling/custody": _("Entrusted recycling lots: the purchases in each lot, their "
                            "assays and fine-gold balance, and the bars refined from them."),
    "/recycling/custody/{serial}": _("The chain of custody of one bar: from the purchases "
                                     "through lots and assays to the refined bar."),
    "/recycling/regulator": _("The regulator's view of recycling: participants, volumes, "
                              "reports received and the ledger's verification."),
    # work safety and monitoring
    "/safety": _("The hazard register: every hazard from report to verified closure, with its "
                 "level under the major accident hazard criteria for metal and non-metal mines "
                 "and GB 16423-2020. Report a hazard, filter by site, level or state, and "
                 "open one to act on it."),
    "/safety/hazards/{hazard_id}": _("One hazard and its timeline: who reported, classified, "
                                     "assigned, rectified and verified it, when, with what "
                                     "note and evidence. Take the next step from here; the "
                                     "history link lists every change in the audit trail."),
    "/safety/dashboard": _("Dynamic clearing of major accident hazards (the plan's Task 6): "
                           "hazards open, overdue and closed by site, enterprise, province "
                           "and nation, and how long they have been open."),
    "/safety/tailings": _("Tailings facilities with their monitoring points against the four "
                          "alarm levels (GB 39496-2020): dry beach length, phreatic line, "
                          "freeboard and displacement."),
    "/safety/tailings/{code}": _("One tailings facility: its dam, its monitoring points and "
                                 "their readings against the alarm levels of GB 39496-2020, "
                                 "and the hazards opened by its monitoring."),
    "/safety/alerts": _("Alerts from sensors, tailings monitoring and microseismic rules. "
                        "Acknowledge an alert with a note once it is handled."),
    "/seismic": _("Microseismic monitoring by mine (the plan's Task 7): events located by "
                  "the mine's sensors, their magnitudes and the b-value. Open a mine for its "
                  "events and hazard rules."),
    "/seismic/{site}": _("One mine's microseismic events in 3D with its stations, magnitude "
                         "and b-value over time, energy against moment and the "
                         "frequency–magnitude fit; rules raise alerts when the activity "
                         "rises."),
    "/seismic/{site}/stress": _("Ground-stress monitoring of one mine: its pressure cells "
                                "and stress sensors with their thresholds, rates and trends "
                                "(the plan's Task 7)."),
    # the platform
    "/jobs": _("Long work runs as a job: follow its progress, cancel it, and open its result "
               "when it is done."),
    "/glossary": _("The terms of the plan and of the field in Chinese and English, with "
                   "their definitions and the standard each comes from. Search in either "
                   "language; the list follows pinyin order in Chinese and alphabetical order "
                   "in English."),
    "/audit/{entity}/{entity_id}": _("The history of one object, newest first: who changed "
                                     "it, when, which fields (before and after) and why. It "
                                     "comes from the audit trail, which every write leaves "
                                     "and nobody can alter."),
    "/login": _("Sign in with the account your administrator gave you. Your role and "
                "organisation decide what you may read and write."),
    "/docs": _("The REST API: every operation with its parameters and typed answers. "
               "Authenticate with a token from POST /api/v1/tokens."),
    "/redoc": _("The REST API's reference, for reading."),
}

LABELS = {
    # actions of the audit trail (aurum.store.audit and the services' bulk writes; "amend"
    # is the review's, in labels/review.py)
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "import": _("imported"),
    "record": _("recorded"),
    "ingest": _("readings received"),
    "append": _("appended"),
    "witness": _("witnessed"),
    "reveal": _("personal data opened"),
    "rename": _("renamed"),
    # kinds of record a history follows (aurum.services.history)
    "sites": _("site"),
    "organisations": _("enterprise"),
    "safety_hazards": _("hazard"),
    "safety_hazard_events": _("hazard timeline step"),
    "reports": _("statistical report"),
    "report_versions": _("report version"),
    "report_reviews": _("review step"),
    "metal_accounts": _("metal account"),
    "sensor_readings": _("sensor readings"),
    "seismic_events": _("seismic events"),
    "recycling_participants": _("recycling participant"),
}
