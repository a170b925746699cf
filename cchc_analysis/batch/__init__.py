"""The jobs of ``cchc run``, one module each (``cchc_analysis.run`` only orchestrates them):

``inputs``    input hashes, the last clean's record, the quarter and units to build
``execute``   papermill tasks, kernels over IPC, warm kernels, one or several at a time
``uptodate``  the fingerprint of a build (inputs, parameters, code) and the previous build
``manifest``  ``outputs/<Q>/manifest.json``
``index``     ``outputs/index.html`` from the Jinja2 template ``templates/index.html.j2``
``summary``   the closing Vietnamese lines of ``cchc run``
``refresh``   re-execution of the committed notebooks (``make notebooks``)
"""
