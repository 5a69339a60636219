"""The web app's views, one module per responsibility.

pages     home, gallery, new scenario, open an example, the workspace page
nodes     the canvas and the node panel: add, rename, delete, move, properties
policies  policy text (drafts and live validation), SCPs/RCPs, grants
attempts  build, run and trace attempts
sharing   undo/redo, share, fork, export, import

Every write is a POST with a CSRF token, checked against the working copy's
edit token (access.editable). An htmx request gets the partial named after
the element it replaces; a plain request is redirected to the full page.
"""
