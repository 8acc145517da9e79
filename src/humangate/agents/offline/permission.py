"""Read a task's permission to send unreviewed: "send without asking me", "no need to review", "ohne Freigabe".

Only a recognised permission relaxes review, in the languages the planner reads; ``task_rules`` then checks that
nothing else in its clause negates, limits, conditions or reviews it. Kept apart so the review reader stays one
concern and this list of permissions can grow on its own.
"""

from __future__ import annotations

import re

__all__ = ["RELAX"]

RELAX = re.compile(
    r"\bwithout (?:asking|checking with|consulting|bothering|waiting for) (?:me|us|anyone|anybody)\b"
    r"|\bwithout (?:my |our |a |any |human |manual |prior )?(?:review|approval|sign-?off|ok|okay|check|go-?ahead)\b"
    r"|\bno need (?:for (?:me|us) )?to (?:ask|check with|consult|bother|review|approve|check|see|wait for)\b"
    r"|\bno (?:human )?(?:review|approval|sign-?off|check) (?:is )?(?:needed|required|necessary)\b"
    r"|\b(?:don't|do not|dont|needn't|need not) (?:need to )?(?:ask|bother|consult|check with|wait for) (?:me|us)\b"
    r"|\bi (?:don't|do not|dont) (?:need|want|have) to (?:see|review|approve|check|look at|sign off)\b"
    r"|\bskip (?:the |my )?(?:review|approval|check)s?\b"
    r"|\bohne (?:mich zu fragen|ruckfrage|rucksprache|(?:meine |eine |manuelle )?(?:freigabe|genehmigung|prufung|"
    r"kontrolle|zustimmung))\b|\b(?:du musst|sie mussen|ihr musst) mich nicht fragen\b"
    r"|\bkeine (?:freigabe|genehmigung|prufung) (?:notig|erforderlich|notwendig)\b"
    r"|\bsin (?:preguntarme|consultarme|(?:mi |una )?(?:aprobacion|revision|autorizacion|visto bueno|permiso))\b"
    r"|\bno (?:hace falta|es necesario) (?:que (?:lo |los |las |la )?(?:revise|apruebe|vea)|revisar|aprobar|"
    r"preguntarme|consultarme)\b|\bno (?:necesito|tengo que) (?:revisar|aprobar|ver)(?:los|las|lo|la)?\b"
    r"|\bno me (?:preguntes|consultes)\b"
    r"|\bsans (?:me (?:demander|consulter)|(?:mon |ma |une )?(?:accord|validation|approbation|relecture|aval))\b"
    r"|\b(?:pas|plus) besoin de (?:me (?:demander|consulter)|valider|verifier|relire|approuver)\b"
    r"|\binutile de (?:me (?:demander|consulter)|valider|verifier|relire)\b"
)
