from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.baseline.models import BaselineGrant


@csrf_exempt
@login_not_required
@require_POST
def baseline_insert(request):
    """Read the same form fields as the grant POST, insert one row, answer 302 like the grant does."""
    try:
        purchase_value = Decimal(request.POST["purchase_value"])
        row = BaselineGrant.objects.create(
            customer_ref=int(request.POST["customer"]),
            category=request.POST["category"],
            purchase_value=purchase_value,
            amount=purchase_value / 4,
            note=request.POST.get("note", ""),
            token=request.POST["token"],
        )
    except (KeyError, ValueError, InvalidOperation):
        return HttpResponseBadRequest("bad form")
    response = HttpResponse(status=302)
    response["Location"] = f"/bench/baseline/{row.pk}/"
    return response
