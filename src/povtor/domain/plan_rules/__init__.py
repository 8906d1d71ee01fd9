"""The rules of the plan of nudges, one module per rule, each pure: facts in, candidates
(reasons to contact a client today) out. :mod:`povtor.domain.planner` runs them all,
merges their candidates into one item per client and ranks the items.

=================  ======================  ===============================================
rule               module                  when
=================  ======================  ===============================================
follow_up          :mod:`.follow_up`       a date the client named ("later, on D") has come
stuck              :mod:`.stuck_deal`      an open deal waited past its stage's limit
warming (5:1)      :mod:`.cadence`         the touch of a client being warmed up
silent             :mod:`.gone_silent`     no purchase for longer than the client's cycle
service            :mod:`.service_contact` a while after a payment: how is it going?
problem            :mod:`.service_problem` a reported service problem is unresolved
revisit            :mod:`.refusal_revisit` a while after a refusal: still interested?
occasion           :mod:`.occasions`       a holiday, birthday or the client's own date
backend            :mod:`.backend_offer`   a top client lacks a backend product
cross_sell         :mod:`.cross_sell`      a product related to one the client bought
(both offers)      :mod:`.offer_quota`     the daily quota of product offers
roadmap (filler)   :mod:`.roadmap_step`    the next step of the category's roadmap
card (filler)      :mod:`.thin_card`       a card below its category's norm of facts
=================  ======================  ===============================================

:mod:`.quiet_days` holds what several rules ask: was the client touched lately, is
anything in motion with it.
"""
