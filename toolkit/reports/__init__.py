"""What leaves the toolkit for people: formula-safe CSV/XLSX and the audit report (HTML/XLSX/CSV/JSON)."""
