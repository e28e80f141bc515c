package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// UndoEntry is an entry whose Ctrl+Z goes to the screen's undo — on the
// review screen, taking back the last decision — instead of undoing the
// entry's own typing (Fyne's entry would swallow the key, and Ctrl+Z would
// do nothing the clerk can see while the cursor is in the note).
type UndoEntry struct {
	widget.Entry
	OnUndo func()
}

// NewUndoEntry makes one (multi: several lines).
func NewUndoEntry(multi bool) *UndoEntry {
	e := &UndoEntry{}
	e.MultiLine = multi
	if multi {
		e.Wrapping = fyne.TextWrapWord
	}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut hands Ctrl+Z to OnUndo.
func (e *UndoEntry) TypedShortcut(s fyne.Shortcut) {
	if isUndo(s) && e.OnUndo != nil {
		e.OnUndo()
		return
	}
	e.Entry.TypedShortcut(s)
}

func isUndo(s fyne.Shortcut) bool {
	switch x := s.(type) {
	case *fyne.ShortcutUndo:
		return true
	case *desktop.CustomShortcut:
		return x.KeyName == fyne.KeyZ && x.Modifier == fyne.KeyModifierShortcutDefault
	}
	return false
}
