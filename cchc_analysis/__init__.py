"""cchc_analysis: quarterly administrative-reform review from one-stop system exports.

Data flows one way: raw exports (``data/raw``) -> processed parquet tables
(``data/processed``) -> quarterly indicators (``outputs/<quarter>``) -> report.
"""

__version__ = "0.1.0"
