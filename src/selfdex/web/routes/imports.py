"""The import page: upload exports, watch a run's progress (htmx polls it), read a past job."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from ...owner import records
from ..deps import OWNER, RunsDep, StoreDep
from ..render import back, render
from ..uploads import save_uploads

router = APIRouter(prefix="/import", dependencies=OWNER)


@router.get("", response_class=HTMLResponse)
def import_page(request: Request, store: StoreDep, runs: RunsDep) -> HTMLResponse:
    return render(request, "import.html", page="import", runs=runs.recent(), jobs=records.jobs(store))


@router.post("", response_model=None)
def import_upload(
    request: Request,
    runs: RunsDep,
    archives: Annotated[list[UploadFile] | None, File()] = None,
    folder: Annotated[list[UploadFile] | None, File()] = None,
) -> RedirectResponse | HTMLResponse:
    files = [f for f in archives or [] if f.filename]
    folder_files = [f for f in folder or [] if f.filename]
    if not files and not folder_files:
        return render(
            request, "import.html", status_code=400, page="import", runs=runs.recent(), jobs=[],
            error="Choose at least one export archive (a .zip, .tar or .tgz) or an unpacked export folder.",
        )  # fmt: skip
    try:
        upload = save_uploads(files, folder_files)
    except OSError as exc:
        # A disk too full for a multi-GB export: nothing was imported, say so and how to go on.
        where = Path(tempfile.gettempdir())
        free = shutil.disk_usage(where).free
        return render(
            request, "import.html", status_code=507, page="import", runs=runs.recent(), jobs=[],
            error=f"Could not keep the upload ({exc.strerror or exc}; {free / 2**30:.1f} GB free in "
            f"{where}). Nothing was imported. Free some space, or import the archive in place "
            "from a terminal: selfdex import PATH",
        )  # fmt: skip
    run = runs.start(upload.dir, upload.names, upload.paths)
    return back(request, f"/import/runs/{run.id}")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def import_run(request: Request, run_id: int, runs: RunsDep) -> HTMLResponse:
    run = runs.get(run_id)
    if run is None:
        raise HTTPException(404, "no such import")
    return render(request, "import_run.html", page="import", run=run)


@router.get("/runs/{run_id}/status", response_class=HTMLResponse)
def import_run_status(request: Request, run_id: int, runs: RunsDep) -> HTMLResponse:
    run = runs.get(run_id)
    if run is None:
        raise HTTPException(404, "no such import")
    return render(request, "_run_status.html", run=run)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def import_job(request: Request, job_id: int, store: StoreDep) -> HTMLResponse:
    detail = records.job(store, job_id)
    if detail is None:
        raise HTTPException(404, "no such import job")
    return render(
        request, "import_job.html", page="import", job=detail.job, files=detail.files, errors=detail.errors
    )
