"""The owner's use cases, once: what ``selfdex`` commands (``cli/``) and the web console (``web/``)
both do for the person whose data it is — importing, the timeline and a record, the profile and
its corrections, asking, recommending, opening a model.

Both front ends call these functions and only render their results; the services call the lower
layers (ingest, store, profile, index, agent, rank). Recipients never come through here: they
reach the data only through the disclosure gate (``channels/``). The submodules import their
heavy dependencies inside the functions that need them, so a cheap command stays cheap.
"""
