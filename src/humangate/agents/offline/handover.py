"""The words that hand messages to a person: "to me", "hand me", "an einen Experten", "à un expert", and roles.

``task_rules`` reads a clause that hands messages over ("hand me anything angry", "refund requests go to an
expert") into a routing rule; these are the targets, escalation verbs and roles it looks for, in the languages
the planner reads. Kept apart so the review reader stays one concern.
"""

from __future__ import annotations

import re

__all__ = ["ESCALATE", "ROLES", "TARGETS"]

_PEOPLE = (
    r"(?:me|us|myself|someone|somebody|(?:a |an |the )?(?:person|human|reviewer|manager|supervisor|expert|"
    r"specialist|owner|admin\w*|team lead|senior \w+|legal team|people)s?)"
)
TARGETS = re.compile(
    rf"\bto {_PEOPLE}\b"
    r"|\b(?:hand|give|send|show|forward|pass|bring|route|escalate|flag)\s+(?:it |them |those )?(?:me|us)\b"
    r"|\b(?:leave|keep|save|reserve|hold)\b[^.]{0,40}\bfor (?:me|us|a person|an expert)\b"
    r"|\ban (?:mich|uns|einen? (?:menschen|person|experten?|expertin|prufer\w*|mitarbeiter\w*|vorgesetzte\w*)|"
    r"den (?:experten|inhaber|besitzer|admin\w*))\b|\b(?:gib|gebt|zeig|zeigt|schick|schickt|leite|leitet|reich)\w* "
    r"(?:\w+ )?mir\b|\bzu mir\b"
    r"|\ba (?:mi|nosotros|alguien|una? (?:persona|humano|experto|experta|especialista|revisor\w*|supervisor\w*|"
    r"responsable|gerente)|el (?:experto|propietario|duen\w*|responsable|supervisor|gerente|administrador))\b"
    r"|\b(?:pasa|pasale|manda|envia|reenvia|deja|da|muestra|ensena|remite|deriva|escala|asigna)(?:me|nos)"
    r"(?:lo|la|los|las)?\b"
    r"|\ba (?:moi|nous|quelqu'un|un (?:expert|humain|relecteur|responsable|superviseur|specialiste|manager)|une "
    r"(?:personne|experte)|l'expert|l' expert|la personne|le (?:responsable|proprietaire|superviseur|manager))\b"
    r"|\b(?:passe|passez|envoie|envoyez|transmets|transmettez|transfere|transferez|renvoie|renvoyez|laisse|laissez|"
    r"donne|donnez|montre|montrez|remonte|remontez)-(?:moi|nous)\b|\bme (?:les |le |la |l' )?(?:transmettre|"
    r"transmets|passer|passe|envoyer|envoie|renvoyer|montrer|remonter|laisser)\b"
)
ESCALATE = ("escal", "eskal", "flag", "markier", "signal", "senal", "remont")  # alone they hand over
ROLES = (
    (
        "expert",
        r"\b(?:expert\w*|specialist\w*|spezialist\w*|especialista\w*|senior|manager\w*|supervisor\w*|"
        r"vorgesetzt\w*|jefe|gerente|responsable|superviseur)\b",
    ),
    ("owner", r"\b(?:owner|inhaber\w*|besitzer\w*|propietario\w*|duen[oa]|proprietaire)\b"),
    ("admin", r"\badmin\w*\b"),
)
