from django.urls import path, re_path

from playground.views import (
    attempts,
    challenges,
    classroom,
    nodes,
    pages,
    paste,
    policies,
    sharing,
)

# Views that read a working copy (w) or a snapshot (s) alike.
SPACE = r"^(?P<kind>[ws])/(?P<space_id>[A-Za-z0-9]{1,10})/"

edit = [
    ("nodes/add/", nodes.add_node, "add_node"),
    ("nodes/move/", nodes.move_node, "move_node"),
    ("nodes/rename/", nodes.rename_node, "rename_node"),
    ("nodes/delete/", nodes.delete_node, "delete_node"),
    ("nodes/props/", nodes.save_props, "save_props"),
    ("scenario/", nodes.save_scenario, "save_scenario"),
    ("policies/save/", policies.save_policy, "save_policy"),
    ("policies/add/", policies.add_policy, "add_policy"),
    ("policies/remove/", policies.remove_policy, "remove_policy"),
    ("org-policies/add/", policies.add_org_policy, "add_org_policy"),
    ("org-policies/targets/", policies.set_org_targets, "set_org_targets"),
    ("org-policies/delete/", policies.delete_org_policy, "delete_org_policy"),
    ("grants/save/", policies.save_grant, "save_grant"),
    ("grants/delete/", policies.delete_grant, "delete_grant"),
    ("attempts/save/", attempts.save_attempt, "save_attempt"),
    ("attempts/delete/", attempts.delete_attempt, "delete_attempt"),
    ("attempts/run/", attempts.run_attempt, "run_attempt"),
    ("attempts/run-all/", attempts.run_all, "run_all"),
    ("undo/", sharing.undo, "undo"),
    ("redo/", sharing.redo, "redo"),
    ("share/", sharing.share, "share"),
    ("share-challenge/", challenges.share_challenge, "share_challenge"),
    ("import/", sharing.import_document, "import_document"),
    ("paste-aws/", paste.paste_aws, "paste_aws"),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("gallery/", pages.gallery, name="gallery"),
    path("healthz", pages.healthz, name="healthz"),
    path("new/", pages.new_scenario, name="new_scenario"),
    path("examples/<str:scenario_id>/open/", pages.open_example, name="open_example"),
    path("w/<str:wc_id>/", pages.working_copy, name="working_copy"),
    path("w/<str:wc_id>/fork/", sharing.fork_copy, name="fork_copy"),
    path("w/<str:wc_id>/export/", sharing.export_copy, name="export_copy"),
    path("w/<str:wc_id>/history/", sharing.history, name="history"),
    path("w/<str:wc_id>/challenge/", challenges.check, name="check_challenge"),
    path("c/<str:scenario_id>/", challenges.challenge_page, name="challenge"),
    path("c/<str:scenario_id>/start/", challenges.start_challenge, name="start_challenge"),
    path("glossary/", classroom.glossary, name="glossary"),
    path("present/new/", classroom.present_blank, name="present_blank"),
    path("s/<str:snap_id>/", pages.snapshot, name="snapshot"),
    path("s/<str:snap_id>/fork/", sharing.fork_snapshot, name="fork_snapshot"),
    path("s/<str:snap_id>/export/", sharing.export_snapshot, name="export_snapshot"),
    re_path(SPACE + r"canvas/$", nodes.canvas, name="canvas"),
    re_path(SPACE + r"panel/$", nodes.panel, name="panel"),
    re_path(SPACE + r"lesson/$", pages.lesson, name="lesson"),
    re_path(SPACE + r"attempts/$", attempts.attempts, name="attempts"),
    re_path(SPACE + r"trace/$", attempts.trace, name="trace"),
    re_path(SPACE + r"present/$", classroom.present, name="present"),
    re_path(SPACE + r"sheet/$", classroom.sheet, name="sheet"),
    *(path(f"w/<str:wc_id>/{route}", view, name=name) for route, view, name in edit),
]

handler400 = "playground.views.pages.bad_request"
