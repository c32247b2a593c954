"""The Streamlit glue: state, sidebar, widgets, display tables and charts."""
