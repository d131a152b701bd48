"""Every word of a briefing, in English and French, and how numbers and dates are written.

:func:`words` gives the whole table of one language (keys are the same in every language);
:func:`say` formats one entry with its ``{placeholders}``.  The gathering
(:mod:`accordwatch.brief._gather`) writes section titles, labels, empty-state lines, notes
and the methods text with them; the renderers take their own labels (table headers, chart
axes, alt text, the footer) from the same table, so that ``--lang fr`` changes every word.

Keys, by group (``words("en")`` lists them all):

* ``title_*`` — the briefing and its sections: ``title_briefing`` ({country}),
  ``title_headline``, ``title_map``, ``title_timeline``, ``title_who``, ``title_accord``,
  ``title_warning``, ``title_key_events``, ``title_sources``, ``title_methods``,
  ``title_notes``, and the sub-parts (``title_by_type``, ``title_by_actor``,
  ``title_milestones``, ``title_actors``, ``title_dyads``, ``title_lineage``,
  ``title_index``, ``title_stalled``, ``title_latest``, ``title_fan``, ``title_alerts``,
  ``title_deadliest``, ``title_recent``, ``title_from_text``, ``title_claims``,
  ``title_regions``,
  ``title_points``, ``title_provenance``);
* ``col_*`` — column headers of the tables behind the charts (one per frame column of
  :mod:`accordwatch.brief._model`: ``col_admin1``, ``col_deaths``, ``col_events`` …);
* ``label_*`` — the headline's and the charts' labels (``label_events``,
  ``label_deaths_best``, ``label_previous``, ``label_year_before``, ``label_change`` …);
* ``trend_*`` — the one-word trend: ``trend_deteriorated``, ``trend_improved``,
  ``trend_unchanged``, ``trend_unknown`` (periods that cannot be compared);
* ``type_*`` — types of violence (``type_state_based``, ``type_non_state``,
  ``type_one_sided``, ``type_unknown``); ``relation_*`` — actor lineage
  (``relation_succeeded_by``, ``relation_member_of``); ``status_*`` — the accord's status
  (``status_in_force``, ``status_suspended``, ``status_terminated``); ``change_stalled``,
  ``change_reversed``; ``basis_events``, ``basis_country_month``;
* ``claim_*`` — what a party claims (``claim_deaths`` {n}, ``claim_capture``,
  ``claim_responsibility``, ``claim_other``), ``claim_status`` (claimed, not confirmed)
  and ``claim_status_unlinked`` (… not linked to a counted event);
* ``empty_*`` — the one line a section (or part) without data shows;
* ``note_*`` — notes of the gathering (partial coverage, how to load GED, …);
* ``forecast_*`` — how the forecast was obtained; ``alert_*`` — alert wording;
* ``methods_*`` — the methods section, one paragraph each;
* ``alt_*`` — alt text of each chart; ``footer_*`` — the provenance footer;
* ``month_1`` … ``month_12`` — month names; ``other``, ``unknown``, ``none``, ``reproduce``,
  ``table``, ``source``, ``url``, ``low``, ``best``, ``high``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

__all__ = ["LANGS", "check_lang", "fmt_date", "fmt_number", "fmt_period", "say", "words"]

#: the languages a briefing can be written in
LANGS = ("en", "fr")

_EN: dict[str, str] = {
    # titles
    "title_briefing": "Briefing: {country}",
    "title_headline": "Headline",
    "title_map": "Where the violence is",
    "title_timeline": "Timeline",
    "title_who": "Who fights whom",
    "title_accord": "The accord",
    "title_warning": "Early warning",
    "title_key_events": "Key events",
    "title_sources": "Sources",
    "title_methods": "Methods",
    "title_notes": "Notes",
    "title_by_type": "Monthly deaths by type of violence",
    "title_by_actor": "Monthly deaths by actor",
    "title_milestones": "Milestones of the accord",
    "title_actors": "Actors",
    "title_dyads": "Dyads (who fought whom)",
    "title_lineage": "Coalitions and name changes",
    "title_index": "Implementation index",
    "title_stalled": "Stalled or reversed provisions",
    "title_latest": "Latest assessments",
    "title_fan": "Forecast of monthly deaths",
    "title_alerts": "Alerts",
    "title_deadliest": "Deadliest events",
    "title_recent": "Most recent events",
    "title_from_text": "Reviewed events from text",
    "title_claims": "Claims by the parties (claimed, not confirmed)",
    "col_claimant": "Claimant",
    "col_claim": "Claim",
    "col_figure": "Counted figure (low – high)",
    "claim_deaths": "{n} deaths claimed",
    "claim_capture": "capture claimed",
    "claim_responsibility": "responsibility claimed",
    "claim_other": "statement",
    "claim_status": "claimed, not confirmed",
    "claim_status_unlinked": "claimed, not confirmed; not linked to a counted event",
    "note_claims": (
        "Claims are what a party says happened; they are shown beside the figures, "
        "never added to them."
    ),
    "title_regions": "Deaths by admin-1 region",
    "title_points": "Event locations",
    "title_provenance": "Provenance",
    # column headers
    "col_admin1": "Region",
    "col_deaths": "Deaths",
    "col_events": "Events",
    "col_latitude": "Latitude",
    "col_longitude": "Longitude",
    "col_place": "Place",
    "col_date": "Date",
    "col_date_first": "First",
    "col_date_last": "Last",
    "col_month": "Month",
    "col_type": "Type",
    "col_actor": "Actor",
    "col_actors": "Actors",
    "col_side_a": "Side A",
    "col_side_b": "Side B",
    "col_relation": "Relation",
    "col_other": "Other",
    "col_since": "From",
    "col_until": "To",
    "col_precision": "Precision",
    "col_label": "Milestone",
    "col_kind": "Kind",
    "col_source": "Source",
    "col_url": "Link",
    "col_period": "Date",
    "col_theme": "Theme",
    "col_index": "Index (0–100)",
    "col_provision_id": "Provision",
    "col_text": "Provision",
    "col_score": "Score",
    "col_change": "Change",
    "col_evidence": "Evidence",
    "col_median": "Median",
    "col_lo50": "50% low",
    "col_hi50": "50% high",
    "col_lo90": "90% low",
    "col_hi90": "90% high",
    "col_p25": "P(≥ 25)",
    "col_p100": "P(≥ 100)",
    "col_unit": "Unit",
    "col_reason": "Reason",
    "col_previous": "Previous alert",
    "col_deaths_best": "Deaths (best)",
    "col_deaths_low": "Low",
    "col_deaths_high": "High",
    "col_event_id": "Event id",
    "col_name": "Dataset",
    "col_version": "Version",
    "col_licence": "Licence",
    "col_accessed": "Accessed",
    "col_filters": "Filters",
    "col_attribution": "Attribution",
    # labels
    "label_period": "Period",
    "label_events": "Events",
    "label_deaths_best": "Deaths (best estimate)",
    "label_deaths_low": "Deaths (low estimate)",
    "label_deaths_high": "Deaths (high estimate)",
    "label_previous": "Previous period ({period})",
    "label_year_before": "Same period a year before ({period})",
    "label_change": "Change",
    "label_trend": "Trend",
    "label_basis": "Counted from",
    "label_status": "Status",
    "label_signed": "Signed",
    "label_by": "by",
    "label_forecast_from": "Forecast from data up to {month}",
    "label_observed": "Observed",
    "label_forecast": "Forecast",
    "label_overall": "overall",
    "label_deaths_month": "Deaths per month",
    "basis_events": "located events ({source})",
    "basis_country_month": "the VIEWS country-month series (UCDP GED state-based deaths)",
    "basis_none": "no counted source",
    # trend
    "trend_deteriorated": "deteriorated",
    "trend_improved": "improved",
    "trend_unchanged": "unchanged",
    "trend_unknown": "not comparable",
    "trend_rule": (
        "Trend: deteriorated when the period's deaths (best estimate) are at least 1.25 times "
        "those of the previous period of equal length and at least 10 more; improved when "
        "they are at most 0.8 times and at least 10 fewer; unchanged otherwise; not "
        "comparable when a counted source does not cover both periods."
    ),
    # types, relations, status
    "type_state_based": "state-based",
    "type_non_state": "non-state",
    "type_one_sided": "one-sided",
    "type_unknown": "other or unknown",
    "relation_succeeded_by": "became",
    "relation_member_of": "member of",
    "status_in_force": "in force",
    "status_suspended": "suspended",
    "status_terminated": "terminated",
    "change_stalled": "stalled",
    "change_reversed": "reversed",
    "change_suspended": "suspended",
    # event types of reviewed events (accordwatch.extract.EVENT_TYPES)
    "event_clash": "clash",
    "event_airstrike": "airstrike",
    "event_drone_strike": "drone strike",
    "event_attack_on_civilians": "attack on civilians",
    "event_base_seizure": "base seizure",
    "event_base_handover": "base handover",
    "event_ambush": "ambush",
    "event_ied": "IED",
    "event_blockade": "blockade",
    "event_displacement": "displacement",
    "event_political": "political",
    # sources
    "src_bundled": "bundled with accordwatch {version}",
    "src_seeded": "store seeded {date}",
    "src_country": "country = {country}",
    "src_region": "region = {region}",
    "src_source": "source = {source}",
    "src_cm_headline": "state-based deaths (best); headline and timeline",
    "src_cm_forecast": "state-based deaths (best); forecast",
    "src_agreement": "agreement {id} ({name})",
    "src_text_licence": "facts of a third-party report, reviewed; none of its text is reproduced",
    "src_text_filters": "reviewed events of {country} from {since} ({source})",
    "src_milestones_licence": "facts, each milestone naming its source; Apache-2.0 compilation",
    "src_milestones_cite": "Each milestone's source is given with it.",
    # empty states
    "empty_headline": (
        "No counted source covers {period}: the store holds no UCDP or ACLED events of "
        "{country} then, and the VIEWS country-month series does not cover it."
    ),
    "empty_map": "No located events and no admin-1 outlines for {country}.",
    "empty_timeline": "No monthly deaths for {country} in this period.",
    "empty_who": "No events with named actors in this period, and no coalitions or name "
    "changes recorded.",
    "empty_accord": "No peace agreement located in {country} is in the store.",
    "empty_warning": "No forecast: {reason}",
    "empty_key_events": "No events of {country} in this period.",
    "empty_deadliest": "No counted events in this period.",
    "empty_recent": "No counted events in this period.",
    "empty_from_text": "No reviewed events from text.",
    "empty_actors": "No event-level data with actors in this period.",
    "empty_index": (
        "No implementation assessments are recorded; add them with `accordwatch accords "
        "assess` or `accordwatch accords import-assessments`."
    ),
    "empty_stalled": "No provision is stalled or reversed.",
    "empty_latest": "No assessments recorded.",
    "empty_alerts": "No alerts for {country} in this period.",
    "empty_milestones": "No milestones of the accord in this period.",
    "empty_lineage": "No coalitions or name changes recorded for these actors.",
    # notes
    "note_load_ged": (
        "The store holds no event-level UCDP GED for {country}: the map shows reviewed "
        "events only and the figures come from the country-month series. For the full map, "
        "download GED from UCDP and load it: `accordwatch ingest ucdp GEDEvent_v25_1.csv`."
    ),
    "note_no_outlines": (
        "No admin-1 outlines of {country} are bundled (Natural Earth admin-1 covers Mali and "
        "its neighbours): the map shows the events as points; the regions are in the table."
    ),
    "note_partial_cm": (
        "The VIEWS country-month series covers {covered} of the {months} months of {period} "
        "(it ends {end}); the figures count those months only."
    ),
    "note_text_after": (
        "{n} reviewed events from text are dated after the period (up to {last}); they are "
        "listed with the key events and shown on the map, not counted."
    ),
    "note_partial_events": (
        "The store's {source} events of this country cover {period} only: months outside it "
        "are not counted, so figures there are missing, not zero."
    ),
    "note_region_cm": (
        "Region figures need event-level data; the country-month series has none, so the "
        "regions are not shaded."
    ),
    "note_unlocated": "{n} events ({deaths} deaths) have no admin-1 region.",
    "note_points_grouped": "Events are grouped on a {step}° grid ({n} locations).",
    "note_region_scope": "Only the events of {region} are counted.",
    "note_accord_choice": "Main agreement: {name} (UCDP paid {id}), the one with {why}.",
    "why_provisions": "its provisions tracked in the store",
    "why_milestones": "the most milestones",
    "why_latest": "the latest comprehensive agreement",
    "note_ucdp_ended": "UCDP codes the agreement as ended (no date given).",
    # forecast and alerts
    "forecast_stored": (
        "Read from the forecast stored on {created} ({model} on data up to {end}): the data "
        "and the model are unchanged since."
    ),
    "forecast_fitted": (
        "No stored forecast matched the data: fitted now ({model} on data up to {end}, "
        "{seconds:.0f} s) and stored for the next briefing."
    ),
    "forecast_not_stored": (
        "No stored forecast matched the data: fitted now ({model} on data up to {end}); "
        "not stored: {why}."
    ),
    "forecast_stale": (
        "The data end {end}, so the forecast months {first} to {last} are already past: "
        "this is not a forecast of the months ahead."
    ),
    "forecast_basis_views": "Series: VIEWS country-month (UCDP GED state-based deaths).",
    "forecast_basis_store": (
        "Series: the store's UCDP GED state-based events, with VIEWS before them."
    ),
    "alert_none_before": "none since {month}",
    "alert_reason_above": "{deaths} deaths, above the 90% forecast bound of {hi} (median {median})",
    "alert_reason_surge": "{ratio}× its 12-month average of {mean}",
    "alert_reason_onset": "{deaths} deaths after 12 months without any",
    "warning_no_series": "{country} has no series in the VIEWS country-month data.",
    "alert_previous": "{month}: {reason}",
    "alert_above_forecast": "above the forecast",
    "alert_surge": "surge",
    "alert_onset": "onset",
    # methods
    "methods_basis_events": (
        "Headline, map, timeline and actors count the {source} events of {country} whose "
        "start date is in the period (best, low and high death estimates summed); reviewed "
        "events from text are listed, never counted."
    ),
    "methods_basis_cm": (
        "The store holds no UCDP or ACLED events of {country}: deaths come from the VIEWS "
        "country-month series of UCDP GED state-based deaths (best estimate only; no event "
        "count, no low or high estimate, no regions or actors)."
    ),
    "methods_previous": (
        "The previous period is the period of equal length just before; the year before is "
        "the same months one year earlier."
    ),
    "methods_map": (
        "Regions: Natural Earth 1:10m admin-1 units, shaded by the deaths of their events; "
        "an event's region is its point's polygon or its normalised admin-1 name. Points: "
        "events at the same place summed, sized by deaths."
    ),
    "methods_timeline": (
        "Deaths per month of the events' start date, by UCDP type of violence and by actor "
        "(an event counts for each of its sides; the {n} deadliest actors are named, the "
        "others are grouped as 'other'). Milestones are drawn at their date, to the "
        "precision it is known (day, month or year)."
    ),
    "methods_who": (
        "Actors and dyads as the events name them; coalitions and name changes from the "
        "actor registry (UCDP actors and accordwatch's curated, sourced entries)."
    ),
    "methods_accord": (
        "Status from the agreement's milestones; implementation index as the Peace Accords "
        "Matrix computes it: each assessed provision's latest score (0–3) carried forward, "
        "100 × points / (3 × provisions assessed). A provision is stalled when its score "
        "has not risen for {months} months and is below full, reversed when its latest "
        "state is 'reversed' or lower than before."
    ),
    "methods_warning": (
        "Forecast: the stored forecast of the data when the store holds one, else fitted "
        "and stored. Alerts: the alert rule of `accordwatch alerts` (above the 90% bound of "
        "a one-month conflictology forecast, a surge of 3× the 12-month mean, or deaths "
        "after 12 months without; at least 10 deaths) applied at every month of the period; "
        "each alert names the unit's alert before it."
    ),
    "methods_key_events": (
        "Deadliest: the {n} counted events with the most deaths (best estimate); most "
        "recent: the {n} latest. Reviewed events from text: events a person accepted from "
        "a report, each with its citation."
    ),
    "methods_reproduce": (
        "Every figure names the accordwatch command that reproduces it from the same store."
    ),
    # alt text
    "alt_map": "Map of {country}: admin-1 regions shaded by deaths and events as points.",
    "alt_by_type": "Monthly deaths in {country} by type of violence, with milestones.",
    "alt_by_actor": "Monthly deaths in {country} by actor.",
    "alt_index": "Implementation index of the agreement over time.",
    "alt_fan": "Observed monthly deaths and the forecast with 50% and 90% intervals.",
    # the command line's summary
    "summary_period": "{place}, {period}: counted from {basis}",
    "summary_figures": (
        "deaths {best} (low {low}, high {high}) in {events} events; previous period {previous}; "
        "a year before {year}"
    ),
    "summary_trend": "trend: {trend} (the rule is in the methods section)",
    "summary_wrote": "wrote {path} ({size})",
    # footer
    "footer_written": "Written {time} by accordwatch {version}",
    "footer_store": "Store: {store}",
    "footer_data": "Data: {versions}",
    # words
    "other": "other",
    "unknown": "unknown",
    "none": "none",
    "reproduce": "Reproduce",
    "table": "Table",
    "source": "Source",
    "url": "Link",
    "low": "low",
    "best": "best",
    "high": "high",
    "no_data": "no data",
    "month_1": "January",
    "month_2": "February",
    "month_3": "March",
    "month_4": "April",
    "month_5": "May",
    "month_6": "June",
    "month_7": "July",
    "month_8": "August",
    "month_9": "September",
    "month_10": "October",
    "month_11": "November",
    "month_12": "December",
}

_FR: dict[str, str] = {
    "title_briefing": "Note de synthèse : {country}",
    "title_headline": "En bref",
    "title_map": "Où se concentre la violence",
    "title_timeline": "Chronologie",
    "title_who": "Qui combat qui",
    "title_accord": "L'accord",
    "title_warning": "Alerte précoce",
    "title_key_events": "Événements clés",
    "title_sources": "Sources",
    "title_methods": "Méthodes",
    "title_notes": "Remarques",
    "title_by_type": "Morts par mois selon le type de violence",
    "title_by_actor": "Morts par mois selon l'acteur",
    "title_milestones": "Jalons de l'accord",
    "title_actors": "Acteurs",
    "title_dyads": "Dyades (qui a combattu qui)",
    "title_lineage": "Coalitions et changements de nom",
    "title_index": "Indice de mise en œuvre",
    "title_stalled": "Dispositions bloquées ou en recul",
    "title_latest": "Dernières évaluations",
    "title_fan": "Prévision des morts par mois",
    "title_alerts": "Alertes",
    "title_deadliest": "Événements les plus meurtriers",
    "title_recent": "Événements les plus récents",
    "title_from_text": "Événements relevés dans des textes et vérifiés",
    "title_claims": "Revendications des parties (affirmé, non confirmé)",
    "col_claimant": "Auteur",
    "col_claim": "Revendication",
    "col_figure": "Bilan retenu (bas – haut)",
    "claim_deaths": "{n} morts revendiqués",
    "claim_capture": "prise revendiquée",
    "claim_responsibility": "responsabilité revendiquée",
    "claim_other": "déclaration",
    "claim_status": "affirmé, non confirmé",
    "claim_status_unlinked": "affirmé, non confirmé ; lié à aucun événement compté",
    "note_claims": (
        "Une revendication est ce qu'une partie affirme ; elle est montrée à côté des bilans, "
        "jamais ajoutée à eux."
    ),
    "title_regions": "Morts par région (niveau 1)",
    "title_points": "Lieux des événements",
    "title_provenance": "Provenance",
    "col_admin1": "Région",
    "col_deaths": "Morts",
    "col_events": "Événements",
    "col_latitude": "Latitude",
    "col_longitude": "Longitude",
    "col_place": "Lieu",
    "col_date": "Date",
    "col_date_first": "Premier",
    "col_date_last": "Dernier",
    "col_month": "Mois",
    "col_type": "Type",
    "col_actor": "Acteur",
    "col_actors": "Acteurs",
    "col_side_a": "Camp A",
    "col_side_b": "Camp B",
    "col_relation": "Relation",
    "col_other": "Autre",
    "col_since": "Depuis",
    "col_until": "Jusqu'à",
    "col_precision": "Précision",
    "col_label": "Jalon",
    "col_kind": "Nature",
    "col_source": "Source",
    "col_url": "Lien",
    "col_period": "Date",
    "col_theme": "Thème",
    "col_index": "Indice (0–100)",
    "col_provision_id": "Disposition",
    "col_text": "Disposition",
    "col_score": "Note",
    "col_change": "Évolution",
    "col_evidence": "Éléments",
    "col_median": "Médiane",
    "col_lo50": "50 % bas",
    "col_hi50": "50 % haut",
    "col_lo90": "90 % bas",
    "col_hi90": "90 % haut",
    "col_p25": "P(≥ 25)",
    "col_p100": "P(≥ 100)",
    "col_unit": "Unité",
    "col_reason": "Motif",
    "col_previous": "Alerte précédente",
    "col_deaths_best": "Morts (meilleure estimation)",
    "col_deaths_low": "Basse",
    "col_deaths_high": "Haute",
    "col_event_id": "Identifiant",
    "col_name": "Jeu de données",
    "col_version": "Version",
    "col_licence": "Licence",
    "col_accessed": "Consulté",
    "col_filters": "Filtres",
    "col_attribution": "Attribution",
    "label_period": "Période",
    "label_events": "Événements",
    "label_deaths_best": "Morts (meilleure estimation)",
    "label_deaths_low": "Morts (estimation basse)",
    "label_deaths_high": "Morts (estimation haute)",
    "label_previous": "Période précédente ({period})",
    "label_year_before": "Même période un an plus tôt ({period})",
    "label_change": "Évolution",
    "label_trend": "Tendance",
    "label_basis": "Décompte",
    "label_status": "Statut",
    "label_signed": "Signé le",
    "label_by": "par",
    "label_forecast_from": "Prévision à partir des données jusqu'à {month}",
    "label_observed": "Observé",
    "label_forecast": "Prévision",
    "label_overall": "ensemble",
    "label_deaths_month": "Morts par mois",
    "basis_events": "des événements localisés ({source})",
    "basis_country_month": (
        "la série pays-mois de VIEWS (morts de la violence étatique, UCDP GED)"
    ),
    "basis_none": "aucune source de décompte",
    "trend_deteriorated": "dégradation",
    "trend_improved": "amélioration",
    "trend_unchanged": "stable",
    "trend_unknown": "non comparable",
    "trend_rule": (
        "Tendance : dégradation lorsque les morts de la période (meilleure estimation) sont "
        "au moins 1,25 fois celles de la période précédente de même durée et d'au moins 10 "
        "de plus ; amélioration lorsqu'elles en sont au plus 0,8 fois et d'au moins 10 de "
        "moins ; stable sinon ; non comparable lorsqu'aucune source de décompte ne couvre "
        "les deux périodes."
    ),
    "type_state_based": "étatique",
    "type_non_state": "non étatique",
    "type_one_sided": "unilatérale",
    "type_unknown": "autre ou inconnu",
    "relation_succeeded_by": "devenu",
    "relation_member_of": "membre de",
    "status_in_force": "en vigueur",
    "status_suspended": "suspendu",
    "status_terminated": "terminé",
    "change_stalled": "bloquée",
    "change_reversed": "en recul",
    "change_suspended": "suspendue",
    "event_clash": "affrontement",
    "event_airstrike": "frappe aérienne",
    "event_drone_strike": "frappe de drone",
    "event_attack_on_civilians": "attaque contre des civils",
    "event_base_seizure": "prise de base",
    "event_base_handover": "remise de base",
    "event_ambush": "embuscade",
    "event_ied": "engin explosif improvisé",
    "event_blockade": "blocus",
    "event_displacement": "déplacement de population",
    "event_political": "politique",
    "src_bundled": "fourni avec accordwatch {version}",
    "src_seeded": "base initialisée le {date}",
    "src_country": "pays = {country}",
    "src_region": "région = {region}",
    "src_source": "source = {source}",
    "src_cm_headline": (
        "morts de la violence étatique (meilleure estimation) ; en bref et chronologie"
    ),
    "src_cm_forecast": "morts de la violence étatique (meilleure estimation) ; prévision",
    "src_agreement": "accord {id} ({name})",
    "src_text_licence": (
        "faits tirés d'un article de tiers, vérifiés ; aucun passage n'en est reproduit"
    ),
    "src_text_filters": "événements vérifiés de {country} depuis le {since} ({source})",
    "src_milestones_licence": "faits, chaque jalon citant sa source ; compilation sous Apache-2.0",
    "src_milestones_cite": "La source de chaque jalon est donnée avec lui.",
    "empty_headline": (
        "Aucune source de décompte ne couvre {period} : la base ne contient aucun événement "
        "UCDP ou ACLED de {country} pour cette période, et la série pays-mois de VIEWS ne "
        "la couvre pas."
    ),
    "empty_map": "Aucun événement localisé et aucun contour de région pour {country}.",
    "empty_timeline": "Aucun décompte mensuel de morts pour {country} sur cette période.",
    "empty_who": "Aucun événement avec des acteurs nommés sur cette période, et aucune "
    "coalition ni aucun changement de nom enregistré.",
    "empty_accord": "Aucun accord de paix situé en {country} dans la base.",
    "empty_warning": "Aucune prévision : {reason}",
    "empty_key_events": "Aucun événement de {country} sur cette période.",
    "empty_deadliest": "Aucun événement décompté sur cette période.",
    "empty_recent": "Aucun événement décompté sur cette période.",
    "empty_from_text": "Aucun événement vérifié issu de textes.",
    "empty_actors": "Aucune donnée par événement avec des acteurs sur cette période.",
    "empty_index": (
        "Aucune évaluation de mise en œuvre n'est enregistrée ; ajoutez-en avec "
        "`accordwatch accords assess` ou `accordwatch accords import-assessments`."
    ),
    "empty_stalled": "Aucune disposition n'est bloquée ou en recul.",
    "empty_latest": "Aucune évaluation enregistrée.",
    "empty_alerts": "Aucune alerte pour {country} sur cette période.",
    "empty_milestones": "Aucun jalon de l'accord sur cette période.",
    "empty_lineage": "Aucune coalition ni aucun changement de nom enregistré pour ces acteurs.",
    "note_load_ged": (
        "La base ne contient pas les événements UCDP GED de {country} : la carte ne montre "
        "que les événements vérifiés et les chiffres viennent de la série pays-mois. Pour la "
        "carte complète, téléchargez GED auprès de l'UCDP et chargez-le : "
        "`accordwatch ingest ucdp GEDEvent_v25_1.csv`."
    ),
    "note_no_outlines": (
        "Aucun contour de région de {country} n'est fourni (les régions Natural Earth "
        "couvrent le Mali et ses voisins) : la carte montre les événements en points ; les "
        "régions sont dans le tableau."
    ),
    "note_partial_cm": (
        "La série pays-mois de VIEWS couvre {covered} des {months} mois de {period} (elle "
        "s'arrête en {end}) ; les chiffres ne comptent que ces mois."
    ),
    "note_text_after": (
        "{n} événements vérifiés issus de textes sont postérieurs à la période (jusqu'à "
        "{last}) ; ils figurent parmi les événements clés et sur la carte, sans être comptés."
    ),
    "note_partial_events": (
        "Les événements {source} de ce pays dans la base ne couvrent que {period} : les mois "
        "en dehors ne sont pas comptés ; leurs chiffres manquent, ils ne valent pas zéro."
    ),
    "note_region_cm": (
        "Les chiffres par région demandent des données par événement ; la série pays-mois "
        "n'en a pas, les régions ne sont donc pas colorées."
    ),
    "note_unlocated": "{n} événements ({deaths} morts) n'ont pas de région.",
    "note_points_grouped": "Les événements sont regroupés sur une grille de {step}° ({n} lieux).",
    "note_region_scope": "Seuls les événements de {region} sont comptés.",
    "note_accord_choice": "Accord principal : {name} (UCDP paid {id}), celui qui a {why}.",
    "why_provisions": "ses dispositions suivies dans la base",
    "why_milestones": "le plus de jalons",
    "why_latest": "l'accord global le plus récent",
    "note_ucdp_ended": "L'UCDP code l'accord comme terminé (sans date).",
    "forecast_stored": (
        "Lue dans la prévision enregistrée le {created} ({model} sur les données jusqu'à "
        "{end}) : les données et le modèle n'ont pas changé depuis."
    ),
    "forecast_fitted": (
        "Aucune prévision enregistrée ne correspondait aux données : estimée maintenant "
        "({model} sur les données jusqu'à {end}, {seconds:.0f} s) et enregistrée pour la "
        "prochaine note."
    ),
    "forecast_not_stored": (
        "Aucune prévision enregistrée ne correspondait aux données : estimée maintenant "
        "({model} sur les données jusqu'à {end}) ; non enregistrée : {why}."
    ),
    "forecast_stale": (
        "Les données s'arrêtent en {end} : les mois prévus, de {first} à {last}, sont déjà "
        "passés ; ce n'est pas une prévision des mois à venir."
    ),
    "forecast_basis_views": "Série : pays-mois de VIEWS (morts de la violence étatique, UCDP GED).",
    "forecast_basis_store": (
        "Série : les événements UCDP GED de violence étatique de la base, précédés de VIEWS."
    ),
    "alert_none_before": "aucune depuis {month}",
    "alert_reason_above": (
        "{deaths} morts, au-dessus de la borne de prévision à 90 % de {hi} (médiane {median})"
    ),
    "alert_reason_surge": "{ratio} fois sa moyenne sur 12 mois de {mean}",
    "alert_reason_onset": "{deaths} morts après 12 mois sans aucun",
    "warning_no_series": "{country} n'a pas de série dans les données pays-mois de VIEWS.",
    "alert_previous": "{month} : {reason}",
    "alert_above_forecast": "au-dessus de la prévision",
    "alert_surge": "flambée",
    "alert_onset": "apparition",
    "methods_basis_events": (
        "L'en-bref, la carte, la chronologie et les acteurs comptent les événements {source} "
        "de {country} dont la date de début tombe dans la période (estimations de morts "
        "meilleure, basse et haute additionnées) ; les événements vérifiés issus de textes "
        "sont listés, jamais comptés."
    ),
    "methods_basis_cm": (
        "La base ne contient aucun événement UCDP ou ACLED de {country} : les morts viennent "
        "de la série pays-mois de VIEWS (morts de la violence étatique, UCDP GED ; meilleure "
        "estimation seulement ; ni nombre d'événements, ni estimations basse ou haute, ni "
        "régions, ni acteurs)."
    ),
    "methods_previous": (
        "La période précédente est la période de même durée juste avant ; l'année "
        "précédente, les mêmes mois un an plus tôt."
    ),
    "methods_map": (
        "Régions : unités de niveau 1 de Natural Earth au 1:10m, colorées selon les morts de "
        "leurs événements ; la région d'un événement est le polygone qui contient son point "
        "ou son nom de région normalisé. Points : événements d'un même lieu additionnés, "
        "taille selon les morts."
    ),
    "methods_timeline": (
        "Morts par mois de la date de début des événements, par type de violence UCDP et par "
        "acteur (un événement compte pour chacun de ses camps ; les {n} acteurs les plus "
        "meurtriers sont nommés, les autres regroupés sous « autre »). Les jalons sont placés "
        "à leur date, avec la précision connue (jour, mois ou année)."
    ),
    "methods_who": (
        "Acteurs et dyades tels que les nomment les événements ; coalitions et changements "
        "de nom d'après le registre des acteurs (acteurs UCDP et entrées sourcées "
        "d'accordwatch)."
    ),
    "methods_accord": (
        "Statut d'après les jalons de l'accord ; indice de mise en œuvre calculé comme le "
        "Peace Accords Matrix : la dernière note (0–3) de chaque disposition évaluée, "
        "reportée dans le temps, 100 × points / (3 × dispositions évaluées). Une disposition "
        "est bloquée quand sa note n'a pas progressé depuis {months} mois sans être "
        "complète, en recul quand son dernier état est « reversed » ou inférieur au "
        "précédent."
    ),
    "methods_warning": (
        "Prévision : la prévision enregistrée pour ces données si la base en contient une, "
        "sinon estimée et enregistrée. Alertes : la règle de `accordwatch alerts` (au-dessus "
        "de la borne de 90 % d'une prévision « conflictology » à un mois, une flambée de 3 "
        "fois la moyenne sur 12 mois, ou des morts après 12 mois sans ; au moins 10 morts) "
        "appliquée à chaque mois de la période ; chaque alerte renvoie à l'alerte "
        "précédente de la même unité."
    ),
    "methods_key_events": (
        "Les plus meurtriers : les {n} événements décomptés ayant fait le plus de morts "
        "(meilleure estimation) ; les plus récents : les {n} derniers. Événements vérifiés "
        "issus de textes : des événements qu'une personne a acceptés à partir d'un article, "
        "chacun avec sa référence."
    ),
    "methods_reproduce": (
        "Chaque chiffre indique la commande accordwatch qui le reproduit à partir de la même base."
    ),
    "alt_map": ("Carte de {country} : régions colorées selon les morts et événements en points."),
    "alt_by_type": "Morts par mois en {country} selon le type de violence, avec les jalons.",
    "alt_by_actor": "Morts par mois en {country} selon l'acteur.",
    "alt_index": "Indice de mise en œuvre de l'accord au fil du temps.",
    "alt_fan": "Morts observés par mois et prévision avec intervalles de 50 % et 90 %.",
    "summary_period": "{place}, {period} : décompte d'après {basis}",
    "summary_figures": (
        "morts {best} (basse {low}, haute {high}) en {events} événements ; période précédente "
        "{previous} ; un an plus tôt {year}"
    ),
    "summary_trend": "tendance : {trend} (la règle figure dans les méthodes)",
    "summary_wrote": "écrit {path} ({size})",
    "footer_written": "Rédigé le {time} par accordwatch {version}",
    "footer_store": "Base : {store}",
    "footer_data": "Données : {versions}",
    "other": "autre",
    "unknown": "inconnu",
    "none": "aucun",
    "reproduce": "Reproduire",
    "table": "Tableau",
    "source": "Source",
    "url": "Lien",
    "low": "basse",
    "best": "meilleure",
    "high": "haute",
    "no_data": "pas de données",
    "month_1": "janvier",
    "month_2": "février",
    "month_3": "mars",
    "month_4": "avril",
    "month_5": "mai",
    "month_6": "juin",
    "month_7": "juillet",
    "month_8": "août",
    "month_9": "septembre",
    "month_10": "octobre",
    "month_11": "novembre",
    "month_12": "décembre",
}

_WORDS = {"en": _EN, "fr": _FR}


def check_lang(lang: str) -> str:
    """``lang`` when it is one of :data:`LANGS` (any case), else an InputError that names
    them."""
    from ..errors import InputError

    key = str(lang).strip().lower()
    if key not in _WORDS:
        raise InputError(f"--lang {lang!r} is not a briefing language; use {' or '.join(LANGS)}")
    return key


def words(lang: str = "en") -> dict[str, str]:
    """Every word of a briefing in ``lang`` (``"en"`` or ``"fr"``), by key (a copy)."""
    return dict(_WORDS[check_lang(lang)])


def say(lang: str, key: str, **values: Any) -> str:
    """The entry ``key`` of ``lang`` with its placeholders filled from ``values``.

    >>> say("fr", "title_briefing", country="Mali")
    'Note de synthèse : Mali'
    """
    text = _WORDS[check_lang(lang)][key]
    return text.format(**values) if values else text


def fmt_number(value: float | int | None, lang: str = "en", *, digits: int = 0) -> str:
    """A number as a reader writes it: ``1,234`` in English, ``1 234`` in French (a narrow
    no-break space), ``–`` for a missing value.

    >>> fmt_number(12345, "en"), fmt_number(12345.5, "fr", digits=1)
    ('12,345', '12\u202f345,5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if check_lang(lang) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_date(value: dt.date | str | None, lang: str = "en", precision: str = "day") -> str:
    """A date written to its precision: ``20 June 2015`` / ``20 juin 2015`` (day), ``June
    2015`` / ``juin 2015`` (month), ``2015`` (year).

    >>> fmt_date(dt.date(2015, 6, 20), "fr"), fmt_date("2022-12-01", "en", "month")
    ('20 juin 2015', 'December 2022')
    """
    if value is None:
        return "–"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    table = _WORDS[check_lang(lang)]
    month = table[f"month_{day.month}"]
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{month} {day.year}"
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{first} {month} {day.year}"


def fmt_period(since: dt.date, until: dt.date, lang: str = "en") -> str:
    """A period as months when it runs over whole months (``January–December 2022``,
    ``November 2021 – March 2022``, ``March 2022``), else as days.

    >>> fmt_period(dt.date(2022, 1, 1), dt.date(2022, 12, 31), "fr")
    'janvier–décembre 2022'
    >>> fmt_period(dt.date(2022, 3, 5), dt.date(2022, 4, 1), "en")
    '5 March 2022 – 1 April 2022'
    """
    whole = since.day == 1 and (until + dt.timedelta(days=1)).day == 1
    if not whole:
        return f"{fmt_date(since, lang)} – {fmt_date(until, lang)}"
    if (since.year, since.month) == (until.year, until.month):
        return fmt_date(since, lang, "month")
    if since.year == until.year:
        first = _WORDS[check_lang(lang)][f"month_{since.month}"]
        return f"{first}–{fmt_date(until, lang, 'month')}"
    return f"{fmt_date(since, lang, 'month')} – {fmt_date(until, lang, 'month')}"
