"""Screens: the main question-and-answer screen, the article reader, the keymap."""

from tui.screens.keys import KeysScreen
from tui.screens.main import MainScreen
from tui.screens.reader import ReaderScreen

__all__ = ["KeysScreen", "MainScreen", "ReaderScreen"]
