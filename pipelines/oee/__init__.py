"""OEE-system SQL source (dlt `sql_database`) and its table contract. Import the modules
themselves (`pipelines.oee.source`, ...): this package stays empty so importing it is cheap."""
