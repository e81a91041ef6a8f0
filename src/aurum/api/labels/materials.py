"""Labels of the shelf-product pages' machine keys (issue 22): capability classes, product
statuses, downstream sectors, evaluation verdicts, document kinds and control charts."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "capable": _("capable (Cpk ≥ 1.33)"),
    "marginal": _("marginal (1 ≤ Cpk < 1.33)"),
    "incapable": _("not capable (Cpk < 1)"),
    "unproven": _("unproven (too few batches)"),
    "active": _("on the shelf"),
    "electronics": _("electronics"),
    "aerospace": _("aerospace"),
    "medical": _("medical"),
    "pv": _("photovoltaics"),
    "pass": _("pass"),
    "conditional": _("conditional pass"),
    "fail": _("fail"),
    "datasheet": _("data sheet"),
    "certificate": _("certificate"),
    "sds": _("safety data sheet"),
    "test_report": _("test report"),
    "i_mr": _("individuals and moving range"),
    "xbar_r": _("means and ranges"),
    "xbar_s": _("means and standard deviations"),
}
