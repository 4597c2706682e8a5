"""risk context: classification and provisions, scorecard monitoring, early warnings."""
