"""The model's one global parameter set.

These are the only free numbers in pactlab. They are the same for every
scenario; a scenario may not carry its own. Each is documented in
``docs/model.md`` (section "Parameters") with its meaning and why the default
has the value it has. Changing a default changes every case in the case table
and is a reviewed change to ``tests/golden/cases.json``.
"""

from __future__ import annotations

import hashlib
import json
import math

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- Power projection and occupation threat (H6, H7) -------------------
    distance_scale_km: float = Field(
        1000.0, gt=0, description="loss-of-strength gradient: projected power falls by 1/e every this many km"
    )
    reach_gradient: float = Field(
        3.0, ge=0, description="global reach flattens the gradient: an actor's distance scale is distance_scale_km x (1 + this x maritime reach)"
    )
    sea_factor: float = Field(
        0.5, ge=0, le=1, description="stopping power of water: share of power that crosses up to 400 miles of sea (times maritime reach)"
    )
    remote_factor: float = Field(
        0.2, ge=0, le=1, description="share of power that crosses open ocean (times maritime reach)"
    )
    defence_advantage: float = Field(3.0, gt=0, description="defender's force multiplier (the 3:1 rule)")
    contest_exponent: float = Field(2.0, gt=0, description="decisiveness of the occupation contest function")
    conquest_absorption: float = Field(
        0.5, ge=0, le=1, description="share of an occupied client's capability the adversary turns against the next (stepping stones)"
    )
    # --- Threat mechanisms (switches) ----------------------------------------
    m_k_leg_routes: bool = Field(
        True, description="conquest routes of any number of legs, best path (off: at most two legs, the v1 stepping stone)"
    )
    m_conquest_strike: bool = Field(
        True, description="the strike from an occupied client uses the adversary side's force that reached it (off: the side's whole capability)"
    )
    power_measure: Literal["cinc", "milex", "milper", "military"] = Field(
        "military", description="offensive power, one global choice: CINC, the shares of military expenditure or of military personnel, or 'military' (their mean); an actor without the input sends the whole theatre to CINC, with a note"
    )
    m_capital_distance: bool = Field(
        True, description="project power over the distance between capitals (GEO3) where given (off: minimum distance, GEO1)"
    )
    m_aligned_routes: bool = Field(
        True, description="aligned adversaries project from their capitals along their own best route (off: from their nearest border, GEO1)"
    )
    m_any_footholds: bool = Field(
        True, description="footholds of any non-client actor (patron, outside states) count in its projection (off: the adversary side's only)"
    )
    m_acquired_reach: bool = Field(
        True, description="the strike from an occupied client may use the naval reach acquired with it (H7)"
    )
    m_threat_convergence: bool = Field(
        True, description="a client's effective threat divergence falls with its occupation threat"
    )
    acquired_reach: float = Field(
        0.5, ge=0, le=1, description="share of an occupied client's maritime reach the adversary acquires for the next strike"
    )
    convergence: float = Field(
        1.0, ge=0, le=1, description="effective divergence = divergence x (1 - this x status-quo occupation threat along the best route)"
    )
    # --- Commitments ---------------------------------------------------------
    consult_weight: float = Field(
        0.35, ge=0, le=1, description="share of a partner's projected power a consultation pledge brings (a defence pledge brings all)"
    )
    # --- Clients' payoffs ------------------------------------------------------
    neighbour_weight: float = Field(
        0.5, ge=0, description="how much a client weighs a neighbour's occupation (contagion), per unit proximity"
    )
    obligation_cost: float = Field(
        0.15, ge=0, description="expected cost of having to fight for a partner, per unit of that partner's threat"
    )
    pledge_cost: float = Field(
        0.005, ge=0, description="fixed cost of a pledge to other clients (negotiation, lost freedom of action), per unit of pledge weight"
    )
    dispute_cost: float = Field(0.3, ge=0, description="cost of a commitment to a partner per unit of dispute intensity")
    econ_cost: float = Field(
        0.3, ge=0, description="cost of an explicit commitment against the adversary per unit of trade dependence on it"
    )
    rebuff_cost: float = Field(
        0.1, ge=0, description="cost to a client that holds a patron treaty of refusing the patron's proposal, per unit of the patron's leverage motive"
    )
    # --- Patron's payoffs ------------------------------------------------------
    access_value: float = Field(
        0.05, ge=0, description="patron's value of an ally (access, bases, alignment) per unit of stake, regardless of threat"
    )
    patron_threat_weight: float = Field(
        1.0, ge=0, description="patron's loss per unit of a client's occupation threat, per unit of stake"
    )
    war_cost: float = Field(
        0.4, ge=0, description="patron's cost of a war it is committed to, times its share of the burden"
    )
    divergence_entrapment: float = Field(
        0.3, ge=0, description="entrapment risk per unit of a client's threat-perception divergence"
    )
    control_bilateral: float = Field(0.6, ge=0, le=1, description="share of a client's provocation risk a bilateral treaty lets the patron restrain")
    control_multilateral: float = Field(0.2, ge=0, le=1, description="the same for a multilateral treaty")
    assurance_defend: float = Field(
        0.7, ge=0, le=1, description="share of entrapment risk removed when clients have committed to defend each other (H1)"
    )
    assurance_consult: float = Field(0.3, ge=0, le=1, description="the same for a mutual consultation pledge")
    imposed_discount: float = Field(
        0.7, ge=0, le=1, description="share of that assurance lost when the patron imposed the clients' commitment (H3)"
    )
    leverage_value: float = Field(
        0.03, ge=0, description="patron's value of dealing with a client one-to-one, per unit of leverage motive (hub and spoke)"
    )
    failed_proposal_cost: float = Field(0.02, ge=0, description="patron's cost of a rejected multilateral proposal")
    # --- Adversary -------------------------------------------------------------
    probe_threshold: float = Field(
        0.35, ge=0, le=1, description="the adversary probes a client whose occupation threat exceeds this (gain vs cost of a failed probe)"
    )
    probe_escalation: float = Field(0.5, ge=0, description="extra risk to a probed client, per unit of its threat")
    counter_alignment: float = Field(
        0.5, ge=0, le=1, description="how far cross-theatre linking closes the gap to full alignment among adversaries (Park and DerSimonian)"
    )
    # --- Model v2: client types, control, imposition, the critics' factors (docs/model.md §3.4)
    suspicion: float = Field(
        0.2, ge=0, le=1, description="patron's baseline suspicion that a client will provoke the adversary (it cannot tell status-quo clients from reckless ones); lowered by the clients' own mutual commitment (H1)"
    )
    lure: float = Field(
        0.5, ge=0, le=1, description="share of an imposed commitment's lost assurance the patron does not foresee when it imposes (H3: the lure of imposed multilateralism)"
    )
    linkage_cost: float = Field(
        0.5, ge=0, description="cost to a client of refusing its patron's multilateral, per unit of what its patron pledge in force is worth to it (H4)"
    )
    rival_value: float = Field(
        1.0, ge=0, description="client's value of a patron pledge against its other principal threat, per unit of the threat it removes (OTH1)"
    )
    coverage_signal: float = Field(
        0.5, ge=0, le=1, description="share of a patron pledge the adversary discounts when it covers a block below the level the block pledged (H5: consult-only 'may signal disinterest')"
    )
    anticipation: float = Field(
        0.5, ge=0, le=1, description="weight committed clients put on a pledge the patron has said will follow once they organise (ANT1)"
    )
    cooperate_weight: float = Field(
        0.1, ge=0, le=1, description="share of a partner's projected power security cooperation without a pledge brings (T2)"
    )
    council_relief: float = Field(
        0.5, ge=0, le=1, description="share of the dispute cost between members removed inside a treaty with a standing council (COUNCIL1)"
    )
    trend_formation: float = Field(
        0.3, ge=0, description="clients' valuation of occupation risk rises by this per unit of rising threat trend (TREND1)"
    )
    counter_reaction: float = Field(
        0.3, ge=0, le=1, description="how far aligned adversaries close the gap to full alignment per unit of the new defence pledges the design creates (Park and DerSimonian: counter-alignment)"
    )
    # --- Model v2 switches: each mechanism can be turned off (ablation) -------
    m_suspicion: bool = Field(True, description="H1: baseline suspicion of every client, lowered by the clients' own commitment")
    m_control_provocation_only: bool = Field(True, description="control restrains a client's provocation only, not its threat divergence")
    m_obligation_under_pact: bool = Field(True, description="the cost of an obligation to a partner is the partner's threat under the pact")
    m_coverage_signal: bool = Field(True, description="H5: a patron pledge below the block's own level is discounted by the adversary")
    m_indigenous_absent_patron: bool = Field(True, description="H2: a block counts as indigenous only if its members would form it absent the patron")
    m_imposition_any_units: bool = Field(True, description="H3/H4: the patron may propose a multilateral to any set of units, pacts in force included, choosing the best subset")
    m_lure: bool = Field(True, description="H3: the patron overestimates an imposed commitment's assurance")
    m_linkage: bool = Field(True, description="H4: refusing the patron's proposal puts the client's patron pledge in force at risk")
    m_rival: bool = Field(True, description="OTH1: patron pledges protect a client against its other principal threat")
    m_anticipated: bool = Field(True, description="ANT1: committed clients anticipate the pledge the patron has said will follow")
    m_cooperation: bool = Field(True, description="T2: security cooperation without a pledge brings a share of the partner's power")
    m_council: bool = Field(True, description="COUNCIL1: standing councils lower the weight of disputes between members")
    m_reliability: bool = Field(True, description="REL1: clients expect the patron to honour its pledges with the coded fulfilment rate")
    m_trend_formation: bool = Field(True, description="TREND1: a rising threat raises the clients' valuation of occupation risk when they choose")
    m_counter_alignment: bool = Field(True, description="Park and DerSimonian: aligned adversaries align more closely as new defence pledges form")
    m_renewal: bool = Field(True, description="pledges in force are reported as renewals and accessions, not silently dropped")
    # --- Durability (H2, H3) -------------------------------------------------------
    base_hazard: float = Field(1 / 30, gt=0, description="yearly hazard of a treaty ending, all covariates at zero")
    hazard_imposed: float = Field(1.2, description="log-hazard added when the patron imposed the clients' commitment (H3)")
    hazard_indigenous: float = Field(0.8, description="log-hazard removed per unit of indigenous client commitment (H2)")
    hazard_threat: float = Field(1.0, description="log-hazard removed per unit of members' mean occupation threat")
    hazard_provocation: float = Field(0.8, description="log-hazard added per unit of members' mean provocation")
    hazard_divergence: float = Field(0.6, description="log-hazard added per unit of members' mean threat divergence")
    hazard_dispute: float = Field(0.6, description="log-hazard added per unit of mean dispute intensity among members")
    hazard_econ: float = Field(0.8, description="log-hazard added per unit of members' mean trade dependence on the adversary")
    hazard_trend: float = Field(0.3, description="log-hazard removed per unit of rising threat trend")
    long_years: float = Field(30.0, gt=0, description="expected duration at or above which a treaty is classed 'long'")
    # --- Logit precisions ----------------------------------------------------------
    # Quantal response (docs/model.md, section 10): each actor picks an option with
    # probability proportional to exp(precision x payoff). +inf is the deterministic
    # model (always the best option), so the modal path and the case table are
    # unchanged; a finite value turns every prediction into a distribution.
    precision_patron: float = Field(
        math.inf, gt=0, allow_inf_nan=True,
        description="logit precision of the patron: its response to each group and its decision to propose an imposed multilateral",
    )
    precision_clients: float = Field(
        math.inf, gt=0, allow_inf_nan=True,
        description="logit precision of the clients: a block's level statements and the acceptance of an imposed multilateral",
    )
    precision_adversary: float = Field(
        math.inf, gt=0, allow_inf_nan=True, description="logit precision of the adversary's probe of each client"
    )
    precision_welfare: float = Field(
        math.inf, gt=0, allow_inf_nan=True,
        description="stage 1: weight of the clients' total payoff in the choice of structure (lambda_S)",
    )
    precision_stability: float = Field(
        math.inf, gt=0, allow_inf_nan=True,
        description="stage 1: how sharply a profitable deviation rules a structure out (lambda_D)",
    )

    def digest(self) -> str:
        # A precision at +inf is the deterministic model: left out, so a
        # deterministic parameter set keeps the digest it had before precisions existed.
        d = {k: v for k, v in self.model_dump().items() if not (k in PRECISIONS and v == math.inf)}
        blob = json.dumps(d, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


PRECISIONS = ("precision_patron", "precision_clients", "precision_adversary", "precision_welfare", "precision_stability")

DEFAULT = Parameters()


def _specs_from_fields() -> tuple:
    """The parameter declaration, read off the field definitions above."""
    from typing import get_args

    from annotated_types import Ge, Gt, Le

    from pactlab.parameters import ParamSpec

    import typing

    out = []
    for name, f in Parameters.model_fields.items():
        if f.annotation is bool:  # a mechanism switch
            out.append(ParamSpec(name=name, default=f.default, doc=f.description or "", kind="bool"))
            continue
        if typing.get_origin(f.annotation) is typing.Literal:  # a global choice
            out.append(ParamSpec(name=name, default=f.default, doc=f.description or "", kind="choice",
                                 choices=tuple(typing.get_args(f.annotation))))
            continue
        lo = hi = None
        strict = False
        for m in f.metadata:
            if isinstance(m, Ge):
                lo = float(m.ge)
            elif isinstance(m, Gt):
                lo, strict = float(m.gt), True
            elif isinstance(m, Le):
                hi = float(m.le)
        out.append(ParamSpec(name=name, default=f.default, doc=f.description or "", lower=lo, upper=hi,
                             strict_lower=strict, allow_inf=name in PRECISIONS))
    return tuple(out)


SPECS = _specs_from_fields()
