"""The inbox has no data-entry form; its only write is marking notices read (a POST without fields)."""
