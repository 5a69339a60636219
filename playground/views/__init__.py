"""The web app's views, one module per responsibility.

pages      home, gallery, new scenario, open an example, the workspace page
nodes      the canvas and the node panel: add, rename, delete, move, properties
policies   policy text (drafts and live validation), SCPs/RCPs, grants
attempts   build, run and trace attempts
fixes      proven fixes of a denied attempt
paste      Paste from AWS
sharing    undo/redo, share, fork, export, import
challenges share a challenge, start one, check a solution
classroom  glossary, presenter view, lesson sheet
common     what they share: the space a URL names, the htmx-or-redirect answer

Every write is a POST with a CSRF token, its fields read through a form
(playground/forms.py), checked against the working copy's edit token
(access.editable); the document is edited by documents.py and its siblings,
never here. An htmx request gets the partial named after the element it
replaces; a plain request is redirected to the full page. URLs come from
their names (reverse(), {% url %}, a space's `urls`), never spelled out.
"""
