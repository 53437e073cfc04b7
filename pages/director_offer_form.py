"""« Déposer une offre de stage »: the three steps of the DSDEN 71 guide, each saved when validated.

The form resumes what the database holds (``?offre=<id>``, else the director's open draft), at
the step reached. The steps are drawn by ``stages.ui.offer_steps``, their widgets and state live
in ``stages.ui.offer_form``.
"""

import streamlit as st

from stages.domain.vocabulary import OfferStatus
from stages.services import drafts
from stages.services.offers import common as offer_common
from stages.services.offers import drafting
from stages.ui import offer_form as f
from stages.ui import offer_steps
from stages.ui.session import page_user

user = page_user()
target = f.requested_offer_id()
if f.needs_loading(target):
    f.load(drafting.load_form(user, target))
    if st.session_state[f.OFFER_ID] is None:  # a new offer: step 1 as typed before a reload, if any
        f.restore(drafts.load_fields(user, drafts.NEW_OFFER_KEY), offer_common.STEP_FIELDS[1])
step = st.session_state[f.STEP]
meta = st.session_state[f.META]
draft = meta["status"] == OfferStatus.DRAFT

offer_steps.status_banner(meta, draft)
if step == 1:
    offer_steps.step1(user, draft)
elif step == 2:
    offer_steps.step2(user, draft)
else:
    offer_steps.step3(user, draft, meta)
