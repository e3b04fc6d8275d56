# Rules of the binding area (not yet written).
