"""Bulk data: CSV import and export at COPY speed, and synthetic data at national scale."""
