"""placeholder"""
def workbook_file_name(period): return f"chi_so_{period}.xlsx"
def write_annex_workbook(tables, out_path, watchlist=None): raise NotImplementedError
