from fastapi import APIRouter, Depends

from shop.auth import current_customer

router = APIRouter(prefix="/account")


@router.get("/orders")
def orders(customer=Depends(current_customer)):
    return customer.orders
