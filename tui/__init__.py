"""The terminal app for archive-qa, built on Textual.

`tui.app.make_app` builds the app (tests inject an open `Archive`); `tui.app.run_app`
runs it for the `archive tui` command. Nothing in `archive/` or `index/` imports this
package, so scripts never load Textual.
"""

__all__: list[str] = []
